import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';
import type { UsagePeriod } from '../domain/usage-periods';

/**
 * What counts as "used" now: a counter's total in the current period; a gauge's latest reading
 * (a level carries over from period to period).
 */
export async function loadUsed(db: Kysely<Database>, organizationId: string, period: UsagePeriod, metric?: UsageMetric): Promise<Map<UsageMetric, number>> {
  const { rows } = await sql<{ metric_type: UsageMetric; quantity: number }>`
    select distinct on (metric_type) metric_type, quantity from usage_records
    where organization_id = ${organizationId}
      and (metric_type = any(${GAUGE_METRICS as readonly string[]}::text[]) or period_start = ${new Date(period.start).toISOString()}::timestamptz)
      ${metric ? sql`and metric_type = ${metric}` : sql``}
    order by metric_type, last_event_at desc nulls last`.execute(db);
  return new Map(rows.map((r) => [r.metric_type, Number(r.quantity)]));
}
