import { getPlan, type PlanId } from './plans';
import { isOperationAllowed, type SubscriptionStatus } from './subscription-status';

export type PlanChangeActor = 'customer' | 'operator';

export type PlanChangeRejection =
  'SamePlan' | 'EnterpriseNotSelfServe' | 'PlanChangeNotAllowed' | 'PendingChangeExists' | 'PlanNotBillable';

/**
 * - upgrade: applied now, the proration invoiced and charged immediately (and not applied if that fails);
 * - downgrade: takes effect at the end of the period; until then it is pending and can be undone (resume);
 * - cancel: choosing free is canceling at period end.
 */
export type PlanChangeDecision =
  | { kind: 'upgrade'; from: PlanId; to: PlanId }
  | { kind: 'downgrade'; from: PlanId; to: PlanId }
  | { kind: 'cancel_at_period_end'; from: PlanId }
  | { kind: 'rejected'; reason: PlanChangeRejection; message: string };

export interface PlanChangeContext {
  status: SubscriptionStatus;
  plan: PlanId;
  pendingPlan: PlanId | null;
  cancelAtPeriodEnd: boolean;
}

const reject = (reason: PlanChangeRejection, message: string): PlanChangeDecision => ({
  kind: 'rejected',
  reason,
  message,
});

export function decidePlanChange(
  current: PlanChangeContext,
  target: PlanId,
  actor: PlanChangeActor = 'customer',
): PlanChangeDecision {
  if (!isOperationAllowed(current.status, 'changePlan')) {
    return reject('PlanChangeNotAllowed', `a plan cannot be changed while the subscription is ${current.status}`);
  }
  if (target === 'enterprise' && actor !== 'operator') {
    return reject('EnterpriseNotSelfServe', 'the enterprise plan is arranged with sales; contact us to switch');
  }
  if (target === current.plan) return reject('SamePlan', `the subscription is already on ${target}`);
  // One pending change at a time: Stripe already holds the lower price for the next period, so an upgrade
  // now would be prorated from the wrong price. Resuming first makes the order explicit.
  if (current.pendingPlan !== null) {
    return reject(
      'PendingChangeExists',
      `a change to ${current.pendingPlan} is pending; resume the current plan first`,
    );
  }
  if (current.cancelAtPeriodEnd) {
    return reject('PendingChangeExists', 'the subscription is set to cancel at period end; resume it first');
  }
  if (target === 'free') return { kind: 'cancel_at_period_end', from: current.plan };
  if (getPlan(target).price.unitAmount === null && actor !== 'operator') {
    return reject('PlanNotBillable', `${target} has no self-serve price`);
  }
  return getPlan(target).rank > getPlan(current.plan).rank
    ? { kind: 'upgrade', from: current.plan, to: target }
    : { kind: 'downgrade', from: current.plan, to: target };
}

export type SubscribeRejection =
  'AlreadySubscribed' | 'EnterpriseNotSelfServe' | 'InvalidPlan' | 'PaymentMethodRequired';

export interface SubscribeRequest {
  plan: PlanId;
  paymentMethodId?: string;
  /** Skip the plan's trial (e.g. an organization that already had one). */
  skipTrial?: boolean;
}

/** The plan's trial length, unless skipped. A subscription without a trial must be paid for at once. */
export function trialDaysFor(request: SubscribeRequest): number {
  return request.skipTrial ? 0 : getPlan(request.plan).trialDays;
}

export function validateSubscribe(
  status: SubscriptionStatus,
  request: SubscribeRequest,
): { reason: SubscribeRejection; message: string } | null {
  if (status !== 'none') return { reason: 'AlreadySubscribed', message: 'the organization already has a subscription' };
  if (request.plan === 'enterprise') {
    return {
      reason: 'EnterpriseNotSelfServe',
      message: 'the enterprise plan is arranged with sales; contact us to switch',
    };
  }
  if (request.plan === 'free') return { reason: 'InvalidPlan', message: 'the free plan needs no subscription' };
  if (trialDaysFor(request) === 0 && !request.paymentMethodId) {
    return { reason: 'PaymentMethodRequired', message: `${request.plan} without a trial needs a payment method` };
  }
  return null;
}
