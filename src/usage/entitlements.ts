import type { Db } from '../db/database';
import { decideEntitlement, type EntitlementDecision } from '../domain/entitlements';
import { PLANS, isUnlimited, type Plan, type PlanId } from '../domain/plans';
import { USAGE_METRICS, isGauge, type UsageMetric } from '../domain/usage';
import { usagePeriodAt, type UsagePeriod } from '../domain/usage-periods';
import { loadUsageContext, type UsageContext } from './organization-context';
import { usageSnapshot } from './snapshot-cache';
import { loadUsed } from './store';

export interface MetricEntitlement {
  metric: UsageMetric;
  kind: 'counter' | 'gauge';
  limit: number | null;
  used: number;
  remaining: number | null;
  overage: { unitAmount: number; blockSize: number; currency: string } | null;
}

export interface Entitlements {
  organizationId: string;
  plan: PlanId;
  period: { start: string; end: string };
  features: Plan['features'];
  metrics: MetricEntitlement[];
}

export async function readEntitlements(db: Db, organizationId: string, now: number): Promise<Entitlements> {
  const context = await loadUsageContext(db, organizationId);
  const period = usagePeriodAt(now, context);
  const used = await loadUsed(db, organizationId, period);
  const plan = PLANS[context.plan];
  return {
    organizationId,
    plan: plan.id,
    period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() },
    features: plan.features,
    metrics: USAGE_METRICS.map((metric) => {
      const limit = context.limits[metric];
      const u = used.get(metric) ?? 0;
      const priced = plan.overage[metric];
      return {
        metric,
        kind: isGauge(metric) ? 'gauge' : 'counter',
        limit: isUnlimited(limit) ? null : limit,
        used: u,
        remaining: isUnlimited(limit) ? null : Math.max(0, limit - u),
        overage: priced
          ? { unitAmount: priced.unitAmount, blockSize: priced.blockSize, currency: plan.price.currency }
          : null,
      };
    }),
  };
}

export interface CheckResult extends EntitlementDecision {
  plan: PlanId;
  periodEnd: string;
}

export function checkAgainst(
  context: UsageContext,
  period: UsagePeriod,
  metric: UsageMetric,
  used: number,
  requested: number,
): CheckResult {
  return {
    ...decideEntitlement({ plan: context.plan, metric, used, requested, limit: context.limits[metric] }),
    plan: context.plan,
    periodEnd: new Date(period.end).toISOString(),
  };
}

/**
 * Read-only answer from a snapshot at most SNAPSHOT_TTL_MS old (exact after writes in this process):
 * advisory, since usage may be recorded right after. Gate atomically with consumeEntitlement.
 */
export async function checkEntitlement(
  db: Db,
  input: { organizationId: string; metric: UsageMetric; quantity: number },
  now: number,
): Promise<CheckResult> {
  const { context, period, used } = await usageSnapshot(db, input.organizationId, now);
  return checkAgainst(context, period, input.metric, used.get(input.metric) ?? 0, input.quantity);
}
