import fc from 'fast-check';
import { Entries, RawToken, nested, serialize, type JsonText } from './json-text';
import type { JsonSchema } from './operations';

/** Strings that have broken parsers, SQL, LIKE patterns, loggers and prototype chains before. */
const NASTY_STRINGS = [
  '',
  ' ',
  "'",
  "' or '1'='1",
  "'; drop table subscriptions; --",
  '%',
  '_',
  '%_%',
  '\\',
  '\\%',
  '"',
  '`',
  '\u0000',
  'org\u0000admin',
  '\uFFFF',
  '\uD800',
  '\uDC00x',
  '\u202Eevil',
  '\uFEFF',
  '𝕏𝕐',
  'é'.normalize('NFD'),
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '%00',
  '%ZZ',
  '\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  'null',
  'true',
  '[]',
  '{}',
  '9007199254740993',
  'a'.repeat(5_000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.tuple(fc.constantFrom(...NASTY_STRINGS), fc.string({ maxLength: 8 })).map(([a, b]) => a + b),
);

/** Numbers as an attacker sends them: raw tokens JSON has no value for, or values at every edge. */
export const hostileNumber: fc.Arbitrary<JsonText> = fc.oneof(
  fc.constantFrom(
    ...[
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '0x10',
      '01',
      '.5',
      '1.',
      '+1',
      '1e-400',
    ].map((t) => new RawToken(t)),
  ),
  fc.double(),
  fc.integer(),
  fc.bigInt().map((n) => new RawToken(n.toString())),
);

const anyJson: fc.Arbitrary<JsonText> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.constant(new Entries([['__proto__', new Entries([['isAdmin', true]])]])),
);

const jsonType = (v: JsonText): string =>
  v instanceof RawToken
    ? 'number'
    : v instanceof Entries
      ? 'object'
      : Array.isArray(v)
        ? 'array'
        : v === null
          ? 'null'
          : typeof v;

/** A value the schema accepts (the base a broken request is built from). */
export function validValue(schema: JsonSchema): fc.Arbitrary<JsonText> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.type === 'object') return validObject(schema);
  if (schema.type === 'integer') return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
  if (schema.type === 'array')
    return fc.array(fc.constant('item'), {
      minLength: schema.minItems ?? 0,
      maxLength: Math.min(schema.maxItems ?? 3, 3),
    });
  if (schema.format === 'date')
    return fc
      .date({ min: new Date('2025-01-01'), max: new Date('2026-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  if (schema.type === 'string') return fc.string({ maxLength: Math.min(schema.maxLength ?? 20, 20) });
  return fc.constant('anything');
}

function validObject(schema: JsonSchema): fc.Arbitrary<Entries> {
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  return fc
    .tuple(
      ...props.map(([name, s]) =>
        fc.tuple(fc.constant(name), validValue(s), required.has(name) ? fc.constant(true) : fc.boolean()),
      ),
    )
    .map((entries) => new Entries(entries.filter(([, , keep]) => keep).map(([k, v]) => [k, v] as const)));
}

/** Hostile strings the schema rejects (empty when it constrains nothing a string could break). */
function rejectedStrings(schema: JsonSchema): fc.Arbitrary<string>[] {
  const out: fc.Arbitrary<string>[] = [];
  if (schema.enum) out.push(hostileString.filter((s) => !schema.enum?.includes(s)));
  if (schema.pattern) {
    const re = new RegExp(schema.pattern);
    out.push(hostileString.filter((s) => !re.test(s)));
  }
  if (schema.format === 'date')
    out.push(
      hostileString.filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
      // Shaped like a day but none Postgres takes (year 0000 is ISO-8601's 1 BC), or none at all.
      fc.constantFrom('0000-01-01', '0000-02-29', '2026-02-30', '2026-13-01', '2026-00-10'),
    );
  if (schema.maxLength !== undefined)
    out.push(fc.string({ minLength: schema.maxLength + 1, maxLength: schema.maxLength + 50 }));
  return out;
}

/** A value the schema certainly rejects, or null when it accepts anything. */
export function brokenValue(schema: JsonSchema): fc.Arbitrary<JsonText> | null {
  const options: fc.Arbitrary<JsonText>[] = [];
  if (schema.type)
    options.push(anyJson.filter((v) => jsonType(v) !== (schema.type === 'integer' ? 'number' : schema.type)));
  if (schema.type === 'string') options.push(...rejectedStrings(schema));
  if (schema.type === 'integer') {
    // Numbers written as strings, fractions, and every edge past the bounds (-0 included when 0 is out).
    options.push(fc.integer().map(String), fc.constantFrom(1.5, -0.5, new RawToken('1e400'), new RawToken('NaN')));
    if (schema.minimum !== undefined)
      options.push(
        fc.integer({ max: schema.minimum - 1 }),
        ...(schema.minimum > 0 ? [fc.constant(new RawToken('-0'))] : []),
      );
    if (schema.maximum !== undefined)
      options.push(
        fc.integer({ min: schema.maximum + 1 }),
        fc.constant(new RawToken('123456789012345678901234567890')),
      );
  }
  if (schema.type === 'array') {
    if (schema.minItems) options.push(fc.constant([]));
    if (schema.maxItems !== undefined)
      options.push(
        fc.constant(
          new RawToken(
            `[${Array(schema.maxItems + 1)
              .fill('{}')
              .join(',')}]`,
          ),
        ),
      );
  }
  if (schema.type === 'object') options.push(brokenObject(schema));
  return options.length ? fc.oneof(...options) : null;
}

const UNKNOWN_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'organizationId\u0000', 'planId ', 'PLANID'];

/** An object the schema rejects: a required key missing, one value broken, or (when closed) an unknown key. */
function brokenObject(schema: JsonSchema): fc.Arbitrary<JsonText> {
  const props = Object.entries(schema.properties ?? {});
  const breaks: fc.Arbitrary<JsonText>[] = [];
  for (const name of schema.required ?? []) {
    breaks.push(validObject(schema).map((o) => new Entries(o.entries.filter(([k]) => k !== name))));
  }
  for (const [name, s] of props) {
    const broken = brokenValue(s);
    if (!broken) continue;
    breaks.push(
      fc.tuple(validObject(schema), broken, fc.boolean(), validValue(s)).map(
        ([o, bad, duplicate, good]) =>
          // A duplicate key with a valid value goes first: JSON.parse keeps the last, the broken one.
          new Entries([
            ...o.entries.filter(([k]) => k !== name),
            ...(duplicate ? [[name, good] as const] : []),
            [name, bad],
          ]),
      ),
    );
  }
  if (schema.additionalProperties === false) {
    const unknownKey = fc.oneof(
      fc.constantFrom(...UNKNOWN_KEYS),
      hostileString.filter((k) => !(k in (schema.properties ?? {}))),
    );
    breaks.push(
      fc.tuple(validObject(schema), unknownKey, anyJson).map(([o, k, v]) => new Entries([...o.entries, [k, v]])),
    );
  }
  breaks.push(anyJson.filter((v) => jsonType(v) !== 'object'));
  return fc.oneof(...breaks);
}

/** Extra keys that change nothing about validity but probe prototype pollution and parser depth. */
export const decoration: fc.Arbitrary<(readonly [string, JsonText])[]> = fc.array(
  fc.oneof(
    fc.tuple(
      fc.constantFrom('__proto__', 'constructor'),
      fc.constant(
        new Entries([
          ['prototype', new Entries([['polluted', true]])],
          ['polluted', true],
        ]),
      ),
    ),
    fc.tuple(
      fc.constant('deep'),
      fc.integer({ min: 100, max: 3_000 }).map((d) => nested(d)),
    ),
    fc.tuple(hostileString, anyJson),
  ),
  { maxLength: 2 },
);

/** A JSON body the schema rejects, as bytes: broken, possibly decorated, possibly not even JSON. */
export function brokenBody(schema: JsonSchema): fc.Arbitrary<{ bytes: Buffer; why: string }> {
  const broken = brokenValue(schema);
  const decorated = (broken ?? fc.constant(null)).chain((value) =>
    decoration.map((extra) =>
      value instanceof Entries && extra.length ? new Entries([...extra, ...value.entries]) : value,
    ),
  );
  const validText = validValue(schema).map(serialize);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: decorated.map((v) => ({ bytes: Buffer.from(serialize(v)), why: 'schema-violating JSON' })),
    },
    validText.chain((text) =>
      fc.nat(text.length - 1).map((cut) => ({ bytes: Buffer.from(text.slice(0, cut)), why: 'truncated JSON' })),
    ),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((b) => ({ bytes: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28]), b]), why: 'invalid UTF-8' })),
    decorated.map((v) => ({
      bytes: Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(serialize(v))]),
      why: 'BOM before broken JSON',
    })),
    fc.constant({ bytes: Buffer.alloc(0), why: 'empty body' }),
    fc.constant({ bytes: Buffer.from(serialize(nested(100_000))), why: 'JSON nested 100,000 deep' }),
  );
}

export const NON_JSON_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'json',
  '*/*',
];

/** A query-parameter value the schema rejects (query values are strings; integers are read as JS numbers). */
export function brokenQueryValue(schema: JsonSchema): fc.Arbitrary<string> | null {
  if (schema.type === 'integer') {
    const min = schema.minimum ?? -Infinity;
    const max = schema.maximum ?? Infinity;
    const acceptable = (s: string) =>
      s.trim() !== '' && Number.isInteger(Number(s)) && Number(s) >= min && Number(s) <= max;
    return fc
      .oneof(hostileString, fc.integer().map(String), fc.constantFrom('-0', '1.5', 'NaN', 'Infinity', '1e400'))
      .filter((s) => !acceptable(s));
  }
  const options = rejectedStrings(schema);
  return options.length ? fc.oneof(...options) : null;
}

/** Percent-encodes the UTF-8 bytes of any string (a lone surrogate included, as U+FFFD). */
export function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Raw query-string noise: hostile names and values, raw percent garbage, repeats. */
export const queryNoise: fc.Arbitrary<string[]> = fc.array(
  fc.oneof(
    fc.tuple(hostileString, hostileString).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`),
    fc.constantFrom(
      '%ZZ=1',
      'a=%E0%A4%A',
      '%FF=%FE',
      'x=%00',
      '=',
      '&&',
      'a[b]=1',
      '__proto__[polluted]=1',
      'constructor[prototype][polluted]=1',
      'a=1&a=2&a=3',
    ),
  ),
  { maxLength: 3 },
);

/** Idempotency keys the documented format rejects, still sendable as an HTTP header value. */
export const hostileIdempotencyKey: fc.Arbitrary<string> = fc
  .oneof(
    hostileString,
    fc.constantFrom('short', 'k'.repeat(201), 'key with spaces', 'ключ-ключ-ключ', 'a/b/c/d/e/f/g/h'),
  )
  .map((s) => Buffer.from(s, 'utf8').toString('latin1'))
  .filter(
    (s) =>
      /^[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?$/.test(s) && !/^[\w.:-]{8,200}$/.test(s),
  );
