import type { Db } from '../db/database';
import { effectivePlan } from '../domain/effective-plan';
import { PLANS, type LimitMetric, type PlanId } from '../domain/plans';
import { contractLimits } from '../domain/contract';
import { limitsWith } from '../domain/pricing';
import type { SubscriptionPeriod } from '../domain/usage-periods';
import { liveSubscriptions } from './store';

/** What usage rules need to know about an organization, from the subscription read model. */
export interface UsageContext extends SubscriptionPeriod {
  subscriptionId: string | null;
  plan: PlanId;
  /** The plan's limits under the subscription's terms: seats, add-on packs, a yearly term's counters. */
  limits: Record<LimitMetric, number>;
}

const FREE: UsageContext = {
  subscriptionId: null,
  plan: 'free',
  limits: PLANS.free.limits,
  currentPeriodStart: null,
  currentPeriodEnd: null,
};

/**
 * The live subscription of each organization (at most one by a unique index). A subscription whose
 * status no longer entitles (canceled, incomplete…) counts as free with free's calendar-month periods.
 */
export async function loadUsageContexts(
  db: Db,
  organizationIds: readonly string[],
): Promise<Map<string, UsageContext>> {
  const rows = await liveSubscriptions(db, organizationIds);
  const contexts = new Map<string, UsageContext>(organizationIds.map((id) => [id, FREE]));
  for (const row of rows) {
    const plan = effectivePlan({ plan: row.plan, status: row.status, endedAt: null, pause: row.pause });
    contexts.set(
      row.organization_id,
      plan === 'free'
        ? FREE
        : {
            subscriptionId: row.id,
            plan,
            // An enterprise contract names its own limits; catalog plans follow their terms.
            limits: row.contract ? contractLimits(row.contract) : limitsWith(plan, row.terms),
            currentPeriodStart: row.current_period_start?.getTime() ?? null,
            currentPeriodEnd: row.current_period_end?.getTime() ?? null,
          },
    );
  }
  return contexts;
}

export async function loadUsageContext(db: Db, organizationId: string): Promise<UsageContext> {
  return (await loadUsageContexts(db, [organizationId])).get(organizationId) ?? FREE;
}
