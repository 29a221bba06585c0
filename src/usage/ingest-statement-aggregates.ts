/**
 * The part both ingest statements share (src/usage/ingest-statement-new-ids.ts and -claiming.ts): fold a
 * batch's totals into the per-day and per-period aggregates and record the thresholds the period total
 * crossed. Counters add; gauges keep the reading with the latest time. Rows are fed in key order so
 * concurrent batches lock aggregate rows in the same order. Counter crossings compare the total before
 * this batch (after − batch total, exact under the row lock) with the one after; gauges record any
 * reading at or over a threshold. The alert table's key makes each threshold once per organization,
 * metric and period.
 *
 * `days` selects (organization_id, metric, day, quantity, last_event_at); the statement's `batch` CTE has
 * (organization_id, metric, period_start, period_end, subscription_id, limit_value, quantity, last_event_at,
 * is_gauge), quantity being the sum of a counter or the latest reading of a gauge; `gauges` is the
 * parameter holding the gauge metrics' names.
 */
export function aggregateUpserts(days: string, gauges: string): string {
  return `
    daily as (
      insert into usage_daily as d (organization_id, metric, day, quantity, last_event_at)
      ${days}
      order by 1, 2, 3
      on conflict (organization_id, metric, day) do update set
        quantity = case
          when excluded.metric = any(${gauges}::text[])
            then case when excluded.last_event_at >= d.last_event_at then excluded.quantity else d.quantity end
          else d.quantity + excluded.quantity end,
        last_event_at = greatest(d.last_event_at, excluded.last_event_at),
        updated_at = now()
    ),
    period as (
      insert into usage_records as r (organization_id, subscription_id, metric_type, quantity, period_start, period_end, last_event_at)
      select organization_id, subscription_id, metric, quantity, period_start, period_end, last_event_at
      from batch order by organization_id, metric, period_start
      on conflict (organization_id, metric_type, period_start) do update set
        quantity = case
          when excluded.metric_type = any(${gauges}::text[])
            then case when excluded.last_event_at >= coalesce(r.last_event_at, '-infinity') then excluded.quantity else r.quantity end
          else r.quantity + excluded.quantity end,
        last_event_at = greatest(r.last_event_at, excluded.last_event_at),
        subscription_id = coalesce(r.subscription_id, excluded.subscription_id),
        updated_at = now()
      returning organization_id, metric_type, period_start, quantity
    ),
    crossed as (
      insert into usage_threshold_alerts (organization_id, metric, period_start, period_end, threshold_percent, limit_value, used)
      select p.organization_id, p.metric_type, p.period_start, b.period_end, t.pct, b.limit_value, p.quantity
      from period p
      join batch b on b.organization_id = p.organization_id and b.metric = p.metric_type and b.period_start = p.period_start
      cross join (values (80), (100)) as t(pct)
      where b.limit_value > 0 and p.quantity * 100 >= b.limit_value * t.pct
        and (b.is_gauge or (p.quantity - b.quantity) * 100 < b.limit_value * t.pct)
      order by 1, 2, 3, 5
      on conflict do nothing
      returning organization_id, metric, period_start, period_end, threshold_percent, limit_value, used
    )`;
}
