import type { PlacedEvent } from './ingest-statement';

/**
 * Postgres array literals built directly: at tens of thousands of events a second, pg's generic
 * per-element array serialization is a noticeable share of the API's CPU.
 */
const NEEDS_ESCAPE = /["\\]/;

/** A text element: always quoted, so an id spelled NULL stays a string. */
export const quoted = (value: string): string => `"${NEEDS_ESCAPE.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;

/** An array literal from formatted elements (NULL elements as the bare keyword). */
export const arrayLiteral = (elements: readonly string[]): string => `{${elements.join(',')}}`;

/** The six columns every ingest statement takes of its events: id, organization, metric, quantity, time and period start (ms). */
export const EVENT_COLUMN_COUNT = 6;

/** Writes event `e`'s six column elements at row `i` of `cols` (the instants as epoch milliseconds). */
export function putEventColumns(cols: readonly string[][], i: number, e: PlacedEvent): void {
  (cols[0] as string[])[i] = quoted(e.id);
  (cols[1] as string[])[i] = quoted(e.organizationId);
  (cols[2] as string[])[i] = quoted(e.metric);
  (cols[3] as string[])[i] = String(e.quantity);
  (cols[4] as string[])[i] = String(e.occurredAt);
  (cols[5] as string[])[i] = String(e.periodStart);
}
