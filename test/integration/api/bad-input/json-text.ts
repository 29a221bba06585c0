/**
 * JSON as an attacker writes it: besides ordinary values, raw tokens JSON.stringify cannot produce
 * (NaN, Infinity, -0, 1e400, 30-digit integers) and objects as entry lists, so a key may repeat or be
 * `__proto__` and still reach the server's parser verbatim.
 */
export class RawToken {
  constructor(readonly text: string) {}
}

export class Entries {
  constructor(readonly entries: readonly (readonly [string, JsonText])[]) {}
}

export type JsonText = RawToken | Entries | JsonText[] | string | number | boolean | null;

export function serialize(value: JsonText): string {
  if (value instanceof RawToken) return value.text;
  if (value instanceof Entries)
    return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  return JSON.stringify(value);
}

/** `depth` nested arrays around `inner`, built without recursion so any depth serializes. */
export function nested(depth: number, inner = '0'): RawToken {
  return new RawToken(`${'['.repeat(depth)}${inner}${']'.repeat(depth)}`);
}
