/**
 * Postgres array literals built directly: at tens of thousands of events a second, pg's generic
 * per-element array serialization is a noticeable share of the API's CPU.
 */
const NEEDS_ESCAPE = /["\\]/;

/** A text element: always quoted, so an id spelled NULL stays a string. */
export const quoted = (value: string): string => `"${NEEDS_ESCAPE.test(value) ? value.replace(/["\\]/g, '\\$&') : value}"`;

/** An array literal from formatted elements (NULL elements as the bare keyword). */
export const arrayLiteral = (elements: readonly string[]): string => `{${elements.join(',')}}`;
