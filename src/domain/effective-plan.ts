import type { PauseBehavior } from './pause';
import { PLAN_IDS, type PlanId } from './plans';

/** Statuses in which the subscribed plan's entitlements apply; dunning and grace keep them on. */
const ENTITLED_STATUSES = new Set(['trialing', 'active', 'past_due']);

/**
 * The plan whose entitlements apply now: the subscribed plan while it is live and entitled, or paused with access
 * kept; otherwise free (after cancellation, a lost dunning, a trial that ended without a card, or during a pause
 * without access).
 */
export function effectivePlan(
  subscription: {
    plan: string;
    status: string;
    endedAt: string | null;
    pause?: { behavior: PauseBehavior } | null;
  } | null,
): PlanId {
  if (!subscription || subscription.endedAt) return 'free';
  const pausedWithAccess = subscription.status === 'paused' && subscription.pause?.behavior === 'keep_access';
  if (!ENTITLED_STATUSES.has(subscription.status) && !pausedWithAccess) return 'free';
  return (PLAN_IDS as readonly string[]).includes(subscription.plan) ? (subscription.plan as PlanId) : 'free';
}
