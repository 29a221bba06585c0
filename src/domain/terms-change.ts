import type { PlanChangeActor } from './plan-change';
import { isPlanId, type PlanId } from './plans';
import {
  isAddOnId,
  isBillingInterval,
  sameTerms,
  termsDirection,
  termsRefusal,
  type AddOnId,
  type BillingInterval,
  type Terms,
} from './pricing';
import { isOperationAllowed, type SubscriptionStatus } from './subscription-status';

/** What a caller asks to change; absent fields keep their value (the scheduled one, if a change is scheduled). */
export interface TermsChangeArgs {
  plan?: PlanId;
  interval?: BillingInterval;
  seats?: number;
  /** Packs per add-on, absolute (0 removes it). */
  addOns?: Partial<Record<AddOnId, number>>;
}

/** A change waiting for the period boundary, held by a Stripe subscription schedule until then. */
export interface ScheduledChange {
  plan: PlanId;
  terms: Terms;
  scheduleId: string;
}

export interface TermsChangeContext {
  status: SubscriptionStatus;
  plan: PlanId;
  terms: Terms;
  scheduled: ScheduledChange | null;
  /** A downgrade scheduled before schedules (items swapped at once): resume first. */
  pendingPlan: PlanId | null;
  cancelAtPeriodEnd: boolean;
}

export type TermsChangeRejection =
  | 'InvalidRequest'
  | 'InvalidPlan'
  | 'SamePlan'
  | 'EnterpriseNotSelfServe'
  | 'PlanChangeNotAllowed'
  | 'PendingChangeExists';

export type TermsChangeDecision =
  | { kind: 'now'; plan: PlanId; terms: Terms }
  | { kind: 'at_renewal'; plan: PlanId; terms: Terms }
  | { kind: 'rejected'; reason: TermsChangeRejection; message: string };

const reject = (reason: TermsChangeRejection, message: string): TermsChangeDecision => ({
  kind: 'rejected',
  reason,
  message,
});

/** Whether the args name anything beyond a plan (the plan-only path keeps its older rules, see plan-change.ts). */
export function hasTermsArgs(args: object | undefined): boolean {
  const a = (args ?? {}) as Record<string, unknown>;
  return a.interval !== undefined || a.seats !== undefined || a.addOns !== undefined;
}

/**
 * Increases apply now with proration (a trial has nothing to prorate, so during a trial every change applies now);
 * decreases wait for the renewal and stack onto what is already scheduled. Increases while a decrease is scheduled
 * are refused (resume first), as are requests that increase and decrease at once.
 */
export function decideTermsChange(
  current: TermsChangeContext,
  args: TermsChangeArgs,
  actor: PlanChangeActor = 'customer',
): TermsChangeDecision {
  if (!isOperationAllowed(current.status, 'changePlan'))
    return reject('PlanChangeNotAllowed', `the subscription cannot be changed while it is ${current.status}`);
  const shape = argsShapeRefusal(args);
  if (shape) return reject(shape.reason, shape.message);
  if (current.cancelAtPeriodEnd)
    return reject('PendingChangeExists', 'the subscription is set to cancel at period end; resume it first');
  if (current.pendingPlan !== null && current.scheduled === null)
    return reject(
      'PendingChangeExists',
      `a change to ${current.pendingPlan} is pending; resume the current plan first`,
    );
  const base = current.scheduled ?? { plan: current.plan, terms: current.terms };
  const plan = args.plan ?? base.plan;
  if (plan === 'enterprise' && actor !== 'operator')
    return reject('EnterpriseNotSelfServe', 'the enterprise plan is arranged with sales; contact us to switch');
  if (plan === 'free') return reject('InvalidPlan', 'choose free by canceling; seats and add-ons need a paid plan');
  const terms: Terms = {
    interval: args.interval ?? base.terms.interval,
    seats: args.seats ?? base.terms.seats,
    addOns: { ...base.terms.addOns, ...args.addOns },
  };
  const refused = termsRefusal(plan, terms);
  if (refused) return reject('InvalidRequest', refused);
  if (plan === base.plan && sameTerms(terms, base.terms))
    return reject('SamePlan', current.scheduled ? 'that change is already scheduled' : 'nothing would change');
  const direction = termsDirection({ plan: current.plan, terms: current.terms }, { plan, terms });
  if (direction === 'mixed')
    return reject(
      'InvalidRequest',
      'the request both raises and lowers what is billed; send increases (applied now) and decreases (at renewal) separately',
    );
  if (current.status === 'trialing') {
    if (current.scheduled) return reject('PendingChangeExists', 'a change is scheduled; resume first');
    return { kind: 'now', plan, terms };
  }
  if (direction === 'now' || direction === 'none') {
    if (current.scheduled)
      return reject('PendingChangeExists', 'a change is scheduled for the renewal; resume (undo it) first');
    return { kind: 'now', plan, terms };
  }
  return { kind: 'at_renewal', plan, terms };
}

function argsShapeRefusal(args: TermsChangeArgs): { reason: TermsChangeRejection; message: string } | null {
  if (typeof args !== 'object' || args === null) return { reason: 'InvalidRequest', message: 'arguments are required' };
  if (args.plan !== undefined && (typeof args.plan !== 'string' || !isPlanId(args.plan)))
    return { reason: 'InvalidPlan', message: `unknown plan ${String(args.plan)}` };
  if (args.interval !== undefined && !isBillingInterval(args.interval))
    return { reason: 'InvalidRequest', message: 'interval must be month or year' };
  if (args.seats !== undefined && typeof args.seats !== 'number')
    return { reason: 'InvalidRequest', message: 'seats must be a number' };
  if (args.addOns !== undefined) {
    if (typeof args.addOns !== 'object' || args.addOns === null)
      return { reason: 'InvalidRequest', message: 'addOns must be an object' };
    const unknown = Object.keys(args.addOns).find((id) => !isAddOnId(id));
    if (unknown !== undefined) return { reason: 'InvalidRequest', message: `unknown add-on ${unknown}` };
  }
  return null;
}
