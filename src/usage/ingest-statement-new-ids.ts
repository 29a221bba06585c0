import type { PreparedStatement } from '../db/database';
import { GAUGE_METRICS } from '../domain/usage';
import { arrayLiteral, quoted } from './array-literals';
import type { PlacedEvent } from './ingest-statement';

const GAUGE_SET: ReadonlySet<string> = new Set(GAUGE_METRICS);
const DAY_MS = 86_400_000;

/** Whether reading `a` (time, id) is later than `b`: the claiming statement's `order by occurred_at desc, event_id desc`. */
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

/** Folds an event into its group's total with the claiming statement's rules (sum or latest reading; max of the rest). */
function addTo(totals: Map<number, Total>, key: number, e: PlacedEvent, all: Total[]): void {
  const t = totals.get(key);
  if (!t) {
    const created = { first: e, quantity: e.quantity, latest: e, periodEnd: e.periodEnd, subscriptionId: e.subscriptionId, limit: e.limit };
    totals.set(key, created);
    all.push(created);
    return;
  }
  if (later(e, t.latest)) t.latest = e;
  t.quantity = GAUGE_SET.has(e.metric) ? t.latest.quantity : t.quantity + e.quantity;
  if (e.periodEnd > t.periodEnd) t.periodEnd = e.periodEnd;
  if (e.subscriptionId !== null && (t.subscriptionId === null || e.subscriptionId > t.subscriptionId)) t.subscriptionId = e.subscriptionId;
  if (e.limit !== null && (t.limit === null || e.limit > t.limit)) t.limit = e.limit;
}

const nullable = (value: string | number | null, format: (v: string | number) => string): string => (value === null ? 'NULL' : format(value));

/** Per organization and metric: its totals per UTC day number and per period start. */
interface Groups {
  days: Map<number, Total>;
  periods: Map<number, Total>;
}

/**
 * The events (six columns) and their totals per organization, metric and UTC day and per organization,
 * metric and period, as Postgres array literals built in one pass, instants as epoch milliseconds.
 * The totals are what the claiming statement would compute from the same events if every one is new.
 */
export function newIdsParameters(events: readonly PlacedEvent[]): string[] {
  const cols: string[][] = Array.from({ length: 6 }, () => new Array<string>(events.length));
  const groups = new Map<string, Map<string, Groups>>();
  const days: Total[] = [];
  const periods: Total[] = [];
  events.forEach((e, i) => {
    (cols[0] as string[])[i] = quoted(e.id);
    (cols[1] as string[])[i] = quoted(e.organizationId);
    (cols[2] as string[])[i] = quoted(e.metric);
    (cols[3] as string[])[i] = String(e.quantity);
    (cols[4] as string[])[i] = String(e.occurredAt);
    (cols[5] as string[])[i] = String(e.periodStart);
    let byMetric = groups.get(e.organizationId);
    if (!byMetric) groups.set(e.organizationId, (byMetric = new Map()));
    let g = byMetric.get(e.metric);
    if (!g) byMetric.set(e.metric, (g = { days: new Map(), periods: new Map() }));
    addTo(g.days, Math.floor(e.occurredAt / DAY_MS), e, days);
    addTo(g.periods, e.periodStart, e, periods);
  });
  const column = (totals: Total[], f: (t: Total) => string) => arrayLiteral(totals.map(f));
  return [
    ...cols.map(arrayLiteral),
    column(days, (t) => quoted(t.first.organizationId)),
    column(days, (t) => quoted(t.first.metric)),
    column(days, (t) => String(Math.floor(t.first.occurredAt / DAY_MS))),
    column(days, (t) => String(t.quantity)),
    column(days, (t) => String(t.latest.occurredAt)),
    column(periods, (t) => quoted(t.first.organizationId)),
    column(periods, (t) => quoted(t.first.metric)),
    column(periods, (t) => String(t.first.periodStart)),
    column(periods, (t) => String(t.periodEnd)),
    column(periods, (t) => nullable(t.subscriptionId, (v) => quoted(String(v)))),
    column(periods, (t) => nullable(t.limit, String)),
    column(periods, (t) => String(t.quantity)),
    column(periods, (t) => String(t.latest.occurredAt)),
  ];
}

/**
 * The statement for a batch whose ids are all new, as they nearly always are: the ledger takes them
 * with a plain insert (its unique key checked once per id, in the same descent as the insert; an id
 * counted before fails the whole statement with a unique violation, and storePlacedEvents then runs
 * the claiming statement), the raw rows are the input, and the aggregates and alerts are fed from the
 * totals computed in JavaScript, with the claiming statement's rules: counters add, gauges keep the
 * latest reading, rows in key order, counter crossings from the total before the batch, the alert
 * table's key keeping each threshold once per organization, metric and period. Instants become
 * timestamptz exactly ('epoch' + ms × 1 ms stays an integer number of microseconds far below 2^53).
 */
export const NEW_IDS_STATEMENT: PreparedStatement = {
  name: 'usage_ingest_new_ids_v2',
  text: `
    with ledger as (
      insert into usage_event_keys (event_id, organization_id)
      select event_id, organization_id from unnest($1::text[], $2::text[]) as t(event_id, organization_id) order by event_id
    ),
    raw as (
      insert into usage_events (event_id, organization_id, metric, quantity, occurred_at, period_start)
      select event_id, organization_id, metric, quantity,
        'epoch'::timestamptz + occurred_ms * interval '1 millisecond', 'epoch'::timestamptz + period_start_ms * interval '1 millisecond'
      from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
        as t(event_id, organization_id, metric, quantity, occurred_ms, period_start_ms)
    ),
    daily as (
      insert into usage_daily as d (organization_id, metric, day, quantity, last_event_at)
      select organization_id, metric, date '1970-01-01' + day, quantity, 'epoch'::timestamptz + last_ms * interval '1 millisecond'
      from unnest($7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[]) as t(organization_id, metric, day, quantity, last_ms)
      order by 1, 2, 3
      on conflict (organization_id, metric, day) do update set
        quantity = case
          when excluded.metric = any($20::text[])
            then case when excluded.last_event_at >= d.last_event_at then excluded.quantity else d.quantity end
          else d.quantity + excluded.quantity end,
        last_event_at = greatest(d.last_event_at, excluded.last_event_at),
        updated_at = now()
    ),
    batch as (
      select organization_id, metric, 'epoch'::timestamptz + period_start_ms * interval '1 millisecond' as period_start,
        'epoch'::timestamptz + period_end_ms * interval '1 millisecond' as period_end, subscription_id, limit_value, quantity,
        'epoch'::timestamptz + last_ms * interval '1 millisecond' as last_event_at, metric = any($20::text[]) as is_gauge
      from unnest($12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[])
        as t(organization_id, metric, period_start_ms, period_end_ms, subscription_id, limit_value, quantity, last_ms)
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
    select '{}'::text[] as counted_before, coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
};
