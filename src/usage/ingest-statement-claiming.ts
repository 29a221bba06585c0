import type { PreparedStatement } from '../db/database';
import { EVENT_COLUMN_COUNT, arrayLiteral, putEventColumns, quoted } from './array-literals';
import { aggregateUpserts } from './ingest-statement-aggregates';
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
  const cols: string[][] = Array.from({ length: EVENT_COLUMN_COUNT + 3 }, () => new Array<string>(events.length));
  events.forEach((e, i) => {
    putEventColumns(cols, i, e);
    (cols[6] as string[])[i] = String(e.periodEnd);
    (cols[7] as string[])[i] = e.subscriptionId === null ? 'NULL' : quoted(e.subscriptionId);
    (cols[8] as string[])[i] = e.limit === null ? 'NULL' : String(e.limit);
  });
  return cols.map(arrayLiteral);
}

/**
 * The conflict-tolerant statement (see storePlacedEvents), for a batch with ids that may have been
 * counted before: claim ids in the dedupe ledger (ON CONFLICT DO NOTHING), keep the raw rows of the
 * newly claimed ones, group those per day and per period here, and fold the totals into the aggregates
 * and alerts (aggregateUpserts). It returns the ids that were already counted.
 *
 * A named prepared statement (parsed and planned once per connection, then its generic plan): its
 * tables are reached only through inserts and their conflict indexes, and its joins are between its
 * own CTEs, so the generic plan is the custom one (hash joins, sorted group aggregates), and parsing
 * and planning this statement for every commit cost about a tenth of Postgres' time per event.
 */
export const CLAIMING_STATEMENT: PreparedStatement = {
  name: 'usage_ingest_claiming_v1',
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
    batch as (
      select organization_id, metric, period_start, max(period_end) as period_end,
        (max(subscription_id::text))::uuid as subscription_id, max(limit_value) as limit_value,
        case when bool_or(is_gauge) then (array_agg(quantity order by occurred_at desc, event_id desc))[1] else sum(quantity) end as quantity,
        max(occurred_at) as last_event_at, bool_or(is_gauge) as is_gauge
      from accepted group by 1, 2, 3
    ),${aggregateUpserts(`
      select organization_id, metric, (occurred_at at time zone 'UTC')::date,
        case when bool_or(is_gauge) then (array_agg(quantity order by occurred_at desc, event_id desc))[1] else sum(quantity) end,
        max(occurred_at)
      from accepted group by 1, 2, 3`, '$10')}
    select
      coalesce((select array_agg(i.event_id) from input i where not exists (select 1 from fresh f where f.event_id = i.event_id)), '{}') as counted_before,
      coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
};

