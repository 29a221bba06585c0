import { PLANS, isUnlimited, type PlanId } from './plans';
import type { UsageMetric } from './usage';

export interface OverageTerms {
  unitAmount: number;
  blockSize: number;
  currency: string;
}

export interface EntitlementDecision {
  allowed: boolean;
  /** null = unlimited. */
  limit: number | null;
  used: number;
  /** Left within the included limit before this request; null = unlimited. */
  remaining: number | null;
  /** Present when the request would be billed (partly) as overage on a plan that prices it. */
  overage?: { quantity: number; terms: OverageTerms };
}

/**
 * "May the organization use `requested` more of `metric`?" Included usage is always allowed; beyond the
 * limit it is allowed only where the plan prices overage (paid counters). Free limits and gauges are hard.
 */
export function decideEntitlement(input: {
  plan: PlanId;
  metric: UsageMetric;
  used: number;
  requested: number;
  /** The limit under the subscription's terms (seats, add-ons, yearly counters); default the plan's. */
  limit?: number;
}): EntitlementDecision {
  const plan = PLANS[input.plan];
  const limit = input.limit ?? plan.limits[input.metric];
  const { used, requested } = input;
  if (isUnlimited(limit)) return { allowed: true, limit: null, used, remaining: null };
  const remaining = Math.max(0, limit - used);
  const over = Math.max(0, used + requested - Math.max(limit, used));
  if (over === 0) return { allowed: true, limit, used, remaining };
  const priced = plan.overage[input.metric];
  if (!priced) return { allowed: false, limit, used, remaining };
  return {
    allowed: true,
    limit,
    used,
    remaining,
    overage: {
      quantity: over,
      terms: { unitAmount: priced.unitAmount, blockSize: priced.blockSize, currency: plan.price.currency },
    },
  };
}

/** Percentages of a limit that notify the organization, once each per period. */
export const USAGE_ALERT_THRESHOLDS = [80, 100] as const;

/**
 * Billable overage of a counter over a whole period, in the price's blocks (rounded up: a started block
 * is billed). 0 on plans that do not price the metric.
 */
export function overageBlocks(
  plan: PlanId,
  metric: UsageMetric,
  periodTotal: number,
  limit: number = PLANS[plan].limits[metric],
): { overUnits: number; blocks: number } {
  const priced = PLANS[plan].overage[metric];
  if (!priced || isUnlimited(limit) || periodTotal <= limit) return { overUnits: 0, blocks: 0 };
  const overUnits = periodTotal - limit;
  return { overUnits, blocks: Math.ceil(overUnits / priced.blockSize) };
}
