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

/**
 * What de-duplicates a usage event: its id within its organization (two organizations may use the same
 * ids). NUL never occurs in an organization id, so the key is unambiguous.
 */
export const usageEventKey = (e: { organizationId: string; id: string }): string => `${e.organizationId}\u0000${e.id}`;

/** Ledger order (organization, then id): concurrent statements claim ledger rows in one order. */
export const byLedgerKey = (a: PlacedEvent, b: PlacedEvent): number =>
  a.organizationId < b.organizationId
    ? -1
    : a.organizationId > b.organizationId
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;

const GAUGE_SET: ReadonlySet<string> = new Set(GAUGE_METRICS);
const DAY_MS = 86_400_000;

/** Whether reading `a` is later than `b`: by time, then by id (a tie in time goes to the larger id). */
const later = (a: PlacedEvent, b: PlacedEvent): boolean =>
  a.occurredAt > b.occurredAt || (a.occurredAt === b.occurredAt && a.id > b.id);

interface Total {
  first: PlacedEvent;
  /** Counters: the sum; gauges: the latest reading. */
  quantity: number;
  latest: PlacedEvent;
  periodEnd: number;
  subscriptionId: string | null;
  limit: number | null;
}

/**
 * THE rule for how a batch's events fold into one aggregate row (the only place it is written): a
 * counter's quantities add up, a gauge keeps its latest reading; the period's end, subscription and
 * limit are the largest the events carry. (How a batch's total then merges into a stored row is the
 * statement's ON CONFLICT clause: src/usage/store.ts.)
 */
function addTo(totals: Map<number, Total>, key: number, e: PlacedEvent, all: Total[]): void {
  const t = totals.get(key);
  if (!t) {
    const created = {
      first: e,
      quantity: e.quantity,
      latest: e,
      periodEnd: e.periodEnd,
      subscriptionId: e.subscriptionId,
      limit: e.limit,
    };
    totals.set(key, created);
    all.push(created);
    return;
  }
  if (later(e, t.latest)) t.latest = e;
  t.quantity = GAUGE_SET.has(e.metric) ? t.latest.quantity : t.quantity + e.quantity;
  if (e.periodEnd > t.periodEnd) t.periodEnd = e.periodEnd;
  if (e.subscriptionId !== null && (t.subscriptionId === null || e.subscriptionId > t.subscriptionId))
    t.subscriptionId = e.subscriptionId;
  if (e.limit !== null && (t.limit === null || e.limit > t.limit)) t.limit = e.limit;
}

/*
 * Postgres array literals built directly: at tens of thousands of events a second, pg's generic
 * per-element array serialization is a noticeable share of the API's CPU.
 */
const NEEDS_ESCAPE = /["\\]/;
/** A text element: always quoted, so an id spelled NULL stays a string. */
export const quoted = (value: string): string =>
  `"${NEEDS_ESCAPE.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;
/** An array literal from formatted elements (NULL elements as the bare keyword). */
export const arrayLiteral = (elements: readonly string[]): string => `{${elements.join(',')}}`;
const nullable = (value: string | number | null, format: (v: string | number) => string): string =>
  value === null ? 'NULL' : format(value);

/** Per organization and metric: its totals per UTC day number and per period start. */
interface Groups {
  days: Map<number, Total>;
  periods: Map<number, Total>;
}

/**
 * The ingest statement's parameters ($1-$19, src/usage/store.ts), built in one pass: the events (six
 * columns) and their totals per organization, metric and UTC day and per organization, metric and
 * period, as Postgres array literals, instants as epoch milliseconds (parsing ISO text cost both sides
 * more). Only the events that count go in: ids counted before are left out by the caller.
 */
export function storeParameters(events: readonly PlacedEvent[]): string[] {
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
