import { PLAN_IDS, type PlanId } from './plans';

/** Statuses in which the subscribed plan's entitlements apply; dunning and grace keep them on. */
const ENTITLED_STATUSES = new Set(['trialing', 'active', 'past_due']);

/**
 * The plan whose entitlements apply now: the subscribed plan while it is live and entitled,
 * otherwise free (after cancellation, a lost dunning, or a trial that ended without a card).
 */
export function effectivePlan(subscription: { plan: string; status: string; endedAt: string | null } | null): PlanId {
  if (!subscription || subscription.endedAt || !ENTITLED_STATUSES.has(subscription.status)) return 'free';
  return (PLAN_IDS as readonly string[]).includes(subscription.plan) ? (subscription.plan as PlanId) : 'free';
}
