/**
 * Stripe signs the bytes it sends, and Postgres' jsonb refuses some of what JSON allows: NUL
 * (`\u0000`) and unpaired UTF-16 surrogates in strings or keys, numbers beyond `numeric`'s range and
 * very deep nesting. The endpoint stores the exact body first; only when Postgres refuses it does it
 * store this copy of the parsed event instead, with NUL and unpaired surrogates replaced by U+FFFD,
 * numbers JSON.parse could not hold (Infinity) as null, and nesting bounded.
 */
export const MAX_PAYLOAD_DEPTH = 64;
const REPLACEMENT = '\ufffd';

/** A signed event that cannot be stored even after cleaning: the endpoint refuses it with a 400. */
export class UnstorablePayload extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnstorablePayload';
  }
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The string with NUL and every unpaired surrogate replaced (the common string is returned as is). */
export function storableText(s: string): string {
  let out: string[] | undefined;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const paired = isHigh(code) && i + 1 < s.length && isLow(s.charCodeAt(i + 1));
    if (paired) {
      out?.push(s[i] as string, s[i + 1] as string);
      i++;
      continue;
    }
    const bad = code === 0 || isHigh(code) || isLow(code);
    if (bad && !out) out = [s.slice(0, i)];
    out?.push(bad ? REPLACEMENT : (s[i] as string));
  }
  return out ? out.join('') : s;
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_PAYLOAD_DEPTH)
    throw new UnstorablePayload(`The event is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), clean(v, depth + 1)]));
}

/** The parsed event as JSON text Postgres' jsonb accepts. */
export function storablePayload(event: unknown): string {
  return JSON.stringify(clean(event, 0));
}
