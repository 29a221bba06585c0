import type { Kysely } from 'kysely';
import { preparedQuery, type PreparedStatement } from '../db/database';
import type { Database } from '../db/schema';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';
import type { UsagePeriod } from '../domain/usage-periods';

// Entitlement checks load this for every snapshot (each organization once a second): prepared, so
// Postgres parses and plans it once per connection.
const USED: PreparedStatement = {
  name: 'usage_used_amounts_v1',
  text: `select distinct on (metric_type) metric_type, quantity from usage_records
    where organization_id = $1
      and (metric_type = any($2::text[]) or period_start = $3::timestamptz)
      and ($4::text is null or metric_type = $4::text)
    order by metric_type, last_event_at desc nulls last`,
};

/**
 * What counts as "used" now: a counter's total in the current period; a gauge's latest reading
 * (a level carries over from period to period).
 */
export async function loadUsed(db: Kysely<Database>, organizationId: string, period: UsagePeriod, metric?: UsageMetric): Promise<Map<UsageMetric, number>> {
  const rows = await preparedQuery<{ metric_type: UsageMetric; quantity: number }>(db, USED, [organizationId, GAUGE_METRICS, new Date(period.start).toISOString(), metric ?? null]);
  return new Map(rows.map((r) => [r.metric_type, Number(r.quantity)]));
}
