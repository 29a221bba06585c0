import { preparedQuery, type Db, type PreparedStatement } from '../db/database';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';

/** One event ready to store: validated, deduplicated within its batch, its period decided. */
export interface PlacedEvent {
  id: string;
  organizationId: string;
  metric: UsageMetric;
  quantity: number;
  occurredAt: number;
  periodStart: number;
  periodEnd: number;
  subscriptionId: string | null;
  /** The plan's limit for alerting; null = unlimited. */
  limit: number | null;
}

export interface CrossedThreshold {
  organization_id: string;
  metric: UsageMetric;
  period_start: string;
  period_end: string;
  threshold_percent: 80 | 100;
  limit_value: number;
  used: number;
}

const NEEDS_ESCAPE = /["\\]/;
const quoted = (value: string): string => `"${NEEDS_ESCAPE.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
const GAUGE_SET: ReadonlySet<string> = new Set(GAUGE_METRICS);
const DAY_MS = 86_400_000;

/** A Postgres array literal from already formatted elements (text quoted, NULL as the bare keyword). */
const arrayLiteral = (elements: readonly string[]): string => `{${elements.join(',')}}`;

/** Whether reading `a` (time, id) is later than `b`: the statement's `order by occurred_at desc, event_id desc`. */
const later = (a: PlacedEvent, b: PlacedEvent): boolean => a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.id > b.id);

interface Total {
  first: PlacedEvent;
  /** Counters: the sum; gauges: the latest reading. */
  quantity: number;
  latest: PlacedEvent;
  periodEnd: number;
  subscriptionId: string | null;
  limit: number | null;
}

/** Folds an event into its group's total with the statement's rules (sum or latest reading; max of the rest). */
function addTo(totals: Map<string, Total>, key: string, e: PlacedEvent): void {
  const t = totals.get(key);
  if (!t) {
    totals.set(key, { first: e, quantity: e.quantity, latest: e, periodEnd: e.periodEnd, subscriptionId: e.subscriptionId, limit: e.limit });
    return;
  }
  if (later(e, t.latest)) t.latest = e;
  t.quantity = GAUGE_SET.has(e.metric) ? t.latest.quantity : t.quantity + e.quantity;
  if (e.periodEnd > t.periodEnd) t.periodEnd = e.periodEnd;
  if (e.subscriptionId !== null && (t.subscriptionId === null || e.subscriptionId > t.subscriptionId)) t.subscriptionId = e.subscriptionId;
  if (e.limit !== null && (t.limit === null || e.limit > t.limit)) t.limit = e.limit;
}

/**
 * The statement's parameters, built in one pass as Postgres array literals (pg's generic per-element
 * serialization is a noticeable share of the API's CPU at tens of thousands of events a second; text
 * elements are always quoted, so an id spelled NULL stays a string). Instants go as epoch milliseconds,
 * which the statement turns into timestamptz exactly (`'epoch' + ms * interval '1 millisecond'`: the
 * product stays an integer number of microseconds far below 2^53); no ISO text on either side.
 *
 * Beside the events: their totals per organization, metric and UTC day, and per organization, metric and
 * period, as if every event is new, which is what the ledger says nearly always. The statement uses them
 * then instead of grouping the events itself (two sorts and per-group ordered aggregates in Postgres).
 */
function statementParameters(events: readonly PlacedEvent[]): string[] {
  const cols: string[][] = Array.from({ length: 6 }, () => new Array<string>(events.length));
  const days = new Map<string, Total>();
  const periods = new Map<string, Total>();
  events.forEach((e, i) => {
    (cols[0] as string[])[i] = quoted(e.id);
    (cols[1] as string[])[i] = quoted(e.organizationId);
    (cols[2] as string[])[i] = quoted(e.metric);
    (cols[3] as string[])[i] = String(e.quantity);
    (cols[4] as string[])[i] = String(e.occurredAt);
    (cols[5] as string[])[i] = String(e.periodStart);
    addTo(days, `${e.organizationId}\u0000${e.metric}\u0000${Math.floor(e.occurredAt / DAY_MS)}`, e);
    addTo(periods, `${e.organizationId}\u0000${e.metric}\u0000${e.periodStart}`, e);
  });
  const dayTotals = [...days.values()];
  const periodTotals = [...periods.values()];
  return [
    ...cols.map(arrayLiteral),
    ...[(t: Total) => quoted(t.first.organizationId), (t: Total) => quoted(t.first.metric), (t: Total) => String(Math.floor(t.first.occurredAt / DAY_MS)),
      (t: Total) => String(t.quantity), (t: Total) => String(t.latest.occurredAt)].map((f) => arrayLiteral(dayTotals.map(f))),
    ...[(t: Total) => quoted(t.first.organizationId), (t: Total) => quoted(t.first.metric), (t: Total) => String(t.first.periodStart), (t: Total) => String(t.periodEnd),
      (t: Total) => (t.subscriptionId === null ? 'NULL' : quoted(t.subscriptionId)), (t: Total) => (t.limit === null ? 'NULL' : String(t.limit)),
      (t: Total) => String(t.quantity), (t: Total) => String(t.latest.occurredAt)].map((f) => arrayLiteral(periodTotals.map(f))),
  ];
}

/**
 * Stores a batch in ONE statement (set-based, never per event): claim ids in the dedupe ledger, keep
 * the raw rows of the newly claimed ones, fold them into the per-day and per-period aggregates, and
 * record thresholds the period total crossed. Counters add; gauges keep the reading with the latest
 * time. Rows are fed in key order so concurrent batches lock aggregate rows in the same order.
 * Counter crossings compare the total before this batch (after − batch sum, exact under the row lock)
 * with the one after; gauges record any reading at or over a threshold. The alert table's key makes
 * each threshold once per organization, metric and period.
 *
 * When the ledger claimed every id (`claimed.all_new`), the raw rows are the input and the aggregates
 * are the totals computed in JavaScript; otherwise (a replay, ids counted before) the raw rows and the
 * totals come from the claimed events alone, grouped here, with the same rules. Each branch sits behind
 * a one-time filter, so only one of them runs. A period's end, subscription and limit are those of its
 * key (the largest among the batch's events for it) in both branches.
 *
 * A named prepared statement (parsed and planned once per connection, then its generic plan): its
 * tables are reached only through inserts and their conflict indexes, and its joins are between its
 * own CTEs, so the generic plan is the custom one, and parsing and planning this statement for every
 * commit cost about a tenth of Postgres' time per event.
 */
const INGEST_STATEMENT: PreparedStatement = {
  name: 'usage_ingest_v3',
  text: `
    with input as (
      select event_id, organization_id, metric, quantity,
        'epoch'::timestamptz + occurred_ms * interval '1 millisecond' as occurred_at,
        'epoch'::timestamptz + period_start_ms * interval '1 millisecond' as period_start
      from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
        as t(event_id, organization_id, metric, quantity, occurred_ms, period_start_ms)
    ),
    fresh as (
      insert into usage_event_keys (event_id, organization_id)
      select event_id, organization_id from input order by event_id
      on conflict (event_id) do nothing
      returning event_id
    ),
    claimed as (select count(*) = cardinality($1::text[]) as all_new from fresh),
    accepted as (select i.* from input i join fresh f using (event_id) where not (select all_new from claimed)),
    raw as (
      insert into usage_events (event_id, organization_id, metric, quantity, occurred_at, period_start)
      select event_id, organization_id, metric, quantity, occurred_at, period_start from input where (select all_new from claimed)
      union all
      select event_id, organization_id, metric, quantity, occurred_at, period_start from accepted
    ),
    days as (
      select organization_id, metric, date '1970-01-01' + day as day, quantity, 'epoch'::timestamptz + last_ms * interval '1 millisecond' as last_event_at
      from unnest($7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[]) as t(organization_id, metric, day, quantity, last_ms)
      where (select all_new from claimed)
      union all
      select organization_id, metric, (occurred_at at time zone 'UTC')::date,
        case when metric = any($20::text[]) then (array_agg(quantity order by occurred_at desc, event_id desc))[1] else sum(quantity) end,
        max(occurred_at)
      from accepted group by 1, 2, 3
    ),
    daily as (
      insert into usage_daily as d (organization_id, metric, day, quantity, last_event_at)
      select organization_id, metric, day, quantity, last_event_at from days order by 1, 2, 3
      on conflict (organization_id, metric, day) do update set
        quantity = case
          when excluded.metric = any($20::text[])
            then case when excluded.last_event_at >= d.last_event_at then excluded.quantity else d.quantity end
          else d.quantity + excluded.quantity end,
        last_event_at = greatest(d.last_event_at, excluded.last_event_at),
        updated_at = now()
    ),
    periods as (
      select organization_id, metric, 'epoch'::timestamptz + period_start_ms * interval '1 millisecond' as period_start,
        'epoch'::timestamptz + period_end_ms * interval '1 millisecond' as period_end, subscription_id, limit_value, quantity,
        'epoch'::timestamptz + last_ms * interval '1 millisecond' as last_event_at
      from unnest($12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[])
        as t(organization_id, metric, period_start_ms, period_end_ms, subscription_id, limit_value, quantity, last_ms)
    ),
    batch as (
      select organization_id, metric, period_start, period_end, subscription_id, limit_value, quantity, last_event_at,
        metric = any($20::text[]) as is_gauge
      from (
        select * from periods where (select all_new from claimed)
        union all
        select p.organization_id, p.metric, p.period_start, p.period_end, p.subscription_id, p.limit_value, a.quantity, a.last_event_at
        from periods p join (
          select organization_id, metric, period_start, max(occurred_at) as last_event_at,
            case when metric = any($20::text[]) then (array_agg(quantity order by occurred_at desc, event_id desc))[1] else sum(quantity) end as quantity
          from accepted group by 1, 2, 3
        ) a using (organization_id, metric, period_start)
      ) totals
    ),
    period as (
      insert into usage_records as r (organization_id, subscription_id, metric_type, quantity, period_start, period_end, last_event_at)
      select organization_id, subscription_id, metric, quantity, period_start, period_end, last_event_at
      from batch order by organization_id, metric, period_start
      on conflict (organization_id, metric_type, period_start) do update set
        quantity = case
          when excluded.metric_type = any($20::text[])
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
    )
    select
      case when (select all_new from claimed) then '{}'
        else coalesce((select array_agg(i.event_id) from input i where not exists (select 1 from fresh f where f.event_id = i.event_id)), '{}') end as counted_before,
      coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
};

const GAUGES = `{${GAUGE_METRICS.map(quoted).join(',')}}`;

export async function storePlacedEvents(db: Db, events: readonly PlacedEvent[]): Promise<{ acceptedIds: string[]; crossed: CrossedThreshold[] }> {
  const rows = await preparedQuery<{ counted_before: string[]; crossed: CrossedThreshold[] }>(db, INGEST_STATEMENT, [...statementParameters(events), GAUGES]);
  const row = rows[0];
  if (!row) throw new Error('usage statement returned no row');
  // The ids already counted (usually none) come back rather than the accepted ones: less to send and parse.
  const countedBefore = new Set(row.counted_before);
  return { acceptedIds: countedBefore.size === 0 ? events.map((e) => e.id) : events.filter((e) => !countedBefore.has(e.id)).map((e) => e.id), crossed: row.crossed };
}
