import type { PreparedStatement } from '../db/database';
import { GAUGE_METRICS } from '../domain/usage';
import { EVENT_COLUMN_COUNT, arrayLiteral, putEventColumns, quoted } from './array-literals';
import { aggregateUpserts } from './ingest-statement-aggregates';
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
  const cols: string[][] = Array.from({ length: EVENT_COLUMN_COUNT }, () => new Array<string>(events.length));
  const groups = new Map<string, Map<string, Groups>>();
  const days: Total[] = [];
  const periods: Total[] = [];
  events.forEach((e, i) => {
    putEventColumns(cols, i, e);
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
 * the claiming statement), the raw rows are the events as given, and the totals computed in JavaScript
 * go into the aggregates and alerts (aggregateUpserts). Instants become timestamptz exactly ('epoch' +
 * ms × 1 ms stays an integer number of microseconds far below 2^53). A named prepared statement, like
 * the claiming one.
 */
export const NEW_IDS_STATEMENT: PreparedStatement = {
  name: 'usage_ingest_new_ids_v3',
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
    batch as (
      select organization_id, metric, 'epoch'::timestamptz + period_start_ms * interval '1 millisecond' as period_start,
        'epoch'::timestamptz + period_end_ms * interval '1 millisecond' as period_end, subscription_id, limit_value, quantity,
        'epoch'::timestamptz + last_ms * interval '1 millisecond' as last_event_at, metric = any($20::text[]) as is_gauge
      from unnest($12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[])
        as t(organization_id, metric, period_start_ms, period_end_ms, subscription_id, limit_value, quantity, last_ms)
    ),
${aggregateUpserts(`
      select organization_id, metric, date '1970-01-01' + day, quantity, 'epoch'::timestamptz + last_ms * interval '1 millisecond'
      from unnest($7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[]) as t(organization_id, metric, day, quantity, last_ms)`, '$20')}
    select '{}'::text[] as counted_before, coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
};
