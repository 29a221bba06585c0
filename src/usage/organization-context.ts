import { preparedQuery, type Db, type PreparedStatement } from '../db/database';
import { effectivePlan } from '../domain/effective-plan';
import type { PlanId } from '../domain/plans';
import type { SubscriptionPeriod } from '../domain/usage-periods';

/** What usage rules need to know about an organization, from the subscription read model. */
export interface UsageContext extends SubscriptionPeriod {
  subscriptionId: string | null;
  plan: PlanId;
}

const FREE: UsageContext = { subscriptionId: null, plan: 'free', currentPeriodStart: null, currentPeriodEnd: null };

/**
 * The live subscription of each organization (at most one by a unique index). A subscription whose
 * status no longer entitles (canceled, incomplete…) counts as free with free's calendar-month periods.
 */
// Ingestion and entitlement checks reload contexts every second per organization: a prepared statement
// spares Postgres the parse and plan each time (the unique live-subscription index serves it).
const LIVE_SUBSCRIPTIONS: PreparedStatement = {
  name: 'usage_live_subscriptions_v1',
  text: `select id, organization_id, plan, status, current_period_start, current_period_end from subscriptions
    where organization_id = any($1::text[]) and ended_at is null`,
};

interface LiveSubscriptionRow {
  id: string;
  organization_id: string;
  plan: string;
  status: string;
  current_period_start: Date | null;
  current_period_end: Date | null;
}

export async function loadUsageContexts(db: Db, organizationIds: readonly string[]): Promise<Map<string, UsageContext>> {
  const rows = organizationIds.length === 0 ? [] : await preparedQuery<LiveSubscriptionRow>(db, LIVE_SUBSCRIPTIONS, [organizationIds]);
  const contexts = new Map<string, UsageContext>(organizationIds.map((id) => [id, FREE]));
  for (const row of rows) {
    const plan = effectivePlan({ plan: row.plan, status: row.status, endedAt: null });
    contexts.set(row.organization_id, plan === 'free' ? FREE : {
      subscriptionId: row.id,
      plan,
      currentPeriodStart: row.current_period_start?.getTime() ?? null,
      currentPeriodEnd: row.current_period_end?.getTime() ?? null,
    });
  }
  return contexts;
}

export async function loadUsageContext(db: Db, organizationId: string): Promise<UsageContext> {
  return (await loadUsageContexts(db, [organizationId])).get(organizationId) ?? FREE;
}
