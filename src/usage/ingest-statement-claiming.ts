import type { PreparedStatement } from '../db/database';
import { arrayLiteral, quoted } from './array-literals';
import type { PlacedEvent } from './ingest-statement';

/**
 * The nine input columns as Postgres array literals, built in one pass: at tens of thousands of events
 * a second, pg's generic per-element array serialization is a noticeable share of the API's CPU. Text
 * elements are always quoted, so an id spelled NULL stays a string; NULL elements are the unquoted
 * keyword. Instants go as epoch milliseconds (integers), which the statement turns into timestamptz
 * with exact integer interval arithmetic: parsing ISO text cost both sides more (toISOString here,
 * timestamptz_in in Postgres, three per event).
 */
export function claimingParameters(events: readonly PlacedEvent[]): string[] {
  const cols: string[][] = Array.from({ length: 9 }, () => new Array<string>(events.length));
  events.forEach((e, i) => {
    (cols[0] as string[])[i] = quoted(e.id);
    (cols[1] as string[])[i] = quoted(e.organizationId);
    (cols[2] as string[])[i] = quoted(e.metric);
    (cols[3] as string[])[i] = String(e.quantity);
    (cols[4] as string[])[i] = String(e.occurredAt);
    (cols[5] as string[])[i] = String(e.periodStart);
    (cols[6] as string[])[i] = String(e.periodEnd);
    (cols[7] as string[])[i] = e.subscriptionId === null ? 'NULL' : quoted(e.subscriptionId);
    (cols[8] as string[])[i] = e.limit === null ? 'NULL' : String(e.limit);
  });
  return cols.map(arrayLiteral);
}

/**
 * The conflict-tolerant statement (see storePlacedEvents): stores a batch in ONE statement (set-based,
 * never per event): claim ids in the dedupe ledger (ON CONFLICT DO NOTHING), keep
 * the raw rows of the newly claimed ones, fold them into the per-day and per-period aggregates, and
 * record thresholds the period total crossed. Counters add; gauges keep the reading with the latest
 * time. Rows are fed in key order so concurrent batches lock aggregate rows in the same order.
 * Counter crossings compare the total before this batch (after − batch sum, exact under the row lock)
 * with the one after; gauges record any reading at or over a threshold. The alert table's key makes
 * each threshold once per organization, metric and period.
 *
 * A named prepared statement (parsed and planned once per connection, then its generic plan): its
 * tables are reached only through inserts and their conflict indexes, and its joins are between its
 * own CTEs, so the generic plan is the custom one (hash joins, sorted group aggregates), and parsing
 * and planning this statement for every commit cost about a tenth of Postgres' time per event.
 */
export const CLAIMING_STATEMENT: PreparedStatement = {
  name: 'usage_ingest_v2',
  text: `
    with input as (
      select event_id, organization_id, metric, quantity,
        'epoch'::timestamptz + (occurred_ms / 1000) * interval '1 second' + (occurred_ms % 1000) * interval '1 millisecond' as occurred_at,
        'epoch'::timestamptz + (period_start_ms / 1000) * interval '1 second' + (period_start_ms % 1000) * interval '1 millisecond' as period_start,
        'epoch'::timestamptz + (period_end_ms / 1000) * interval '1 second' + (period_end_ms % 1000) * interval '1 millisecond' as period_end,
        subscription_id, limit_value
      from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::uuid[], $9::bigint[])
        as t(event_id, organization_id, metric, quantity, occurred_ms, period_start_ms, period_end_ms, subscription_id, limit_value)
    ),
    fresh as (
      insert into usage_event_keys (event_id, organization_id)
      select event_id, organization_id from input order by event_id
      on conflict (event_id) do nothing
      returning event_id
    ),
    accepted as (
      select i.*, i.metric = any($10::text[]) as is_gauge
      from input i join fresh f using (event_id)
    ),
    raw as (
      insert into usage_events (event_id, organization_id, metric, quantity, occurred_at, period_start)
      select event_id, organization_id, metric, quantity, occurred_at, period_start from accepted
    ),
    daily as (
      insert into usage_daily as d (organization_id, metric, day, quantity, last_event_at)
      select organization_id, metric, (occurred_at at time zone 'UTC')::date,
        case when bool_or(is_gauge) then (array_agg(quantity order by occurred_at desc, event_id desc))[1] else sum(quantity) end,
        max(occurred_at)
      from accepted group by 1, 2, 3 order by 1, 2, 3
      on conflict (organization_id, metric, day) do update set
        quantity = case
          when excluded.metric = any($10::text[])
            then case when excluded.last_event_at >= d.last_event_at then excluded.quantity else d.quantity end
          else d.quantity + excluded.quantity end,
        last_event_at = greatest(d.last_event_at, excluded.last_event_at),
        updated_at = now()
    ),
    batch as (
      select organization_id, metric, period_start, max(period_end) as period_end, bool_or(is_gauge) as is_gauge,
        (max(subscription_id::text))::uuid as subscription_id, max(limit_value) as limit_value, sum(quantity) as delta,
        (array_agg(quantity order by occurred_at desc, event_id desc))[1] as latest, max(occurred_at) as last_event_at
      from accepted group by 1, 2, 3
    ),
    period as (
      insert into usage_records as r (organization_id, subscription_id, metric_type, quantity, period_start, period_end, last_event_at)
      select organization_id, subscription_id, metric, case when is_gauge then latest else delta end, period_start, period_end, last_event_at
      from batch order by organization_id, metric, period_start
      on conflict (organization_id, metric_type, period_start) do update set
        quantity = case
          when excluded.metric_type = any($10::text[])
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
        and (b.is_gauge or (p.quantity - b.delta) * 100 < b.limit_value * t.pct)
      order by 1, 2, 3, 5
      on conflict do nothing
      returning organization_id, metric, period_start, period_end, threshold_percent, limit_value, used
    )
    select
      coalesce((select array_agg(i.event_id) from input i where not exists (select 1 from fresh f where f.event_id = i.event_id)), '{}') as counted_before,
      coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
};

