import { sql } from 'kysely';
import type { Db } from '../db/database';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';

export interface UsagePoint {
  /** 'YYYY-MM-DD' (day) or 'YYYY-MM' (month), UTC. */
  period: string;
  metric: UsageMetric;
  /** Counters: the sum. Gauges: the last reading of the day or month. */
  quantity: number;
}

/**
 * Usage per day or month between two UTC days (inclusive), from the daily aggregates only: the raw
 * events are never scanned, so the cost depends on the range, not on traffic.
 */
export async function usageHistory(db: Db, organizationId: string, range: { startDate: string; endDate: string; granularity: 'day' | 'month' }): Promise<UsagePoint[]> {
  const bucket = range.granularity === 'day' ? sql`to_char(day, 'YYYY-MM-DD')` : sql`to_char(day, 'YYYY-MM')`;
  const { rows } = await sql<{ period: string; metric: UsageMetric; quantity: string | number }>`
    select ${bucket} as period, metric,
      case when metric = any(${GAUGE_METRICS as readonly string[]}::text[])
        then (array_agg(quantity order by day desc))[1] else sum(quantity) end as quantity
    from usage_daily
    where organization_id = ${organizationId} and day between ${range.startDate}::date and ${range.endDate}::date
    group by 1, 2 order by 1, 2`.execute(db);
  return rows.map((r) => ({ period: r.period, metric: r.metric, quantity: Number(r.quantity) }));
}
