import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  NON_JSON_CONTENT_TYPES,
  brokenBody,
  brokenQueryValue,
  hostileIdempotencyKey,
  hostileString,
  percentEncode,
  queryNoise,
  validValue,
} from './hostile';
import type { SweepRequest } from './http';
import { serialize } from './json-text';
import type { Operation } from './operations';

export interface Credentials {
  owner: string;
  member: string;
  service: string;
  admin: string;
  forged: { name: string; header: string | undefined }[];
}

/** A request and why it must be refused (empty: a legitimate request with hostile noise the API may ignore). */
export interface Plan {
  request: SweepRequest;
  refusedBecause: string[];
}

interface Part<T> {
  value: T;
  bad?: string;
}

function authorization(op: Operation, creds: Credentials): fc.Arbitrary<Part<string | undefined>> {
  const accepted = [
    ...(op.schemes.includes('userToken') ? [creds.owner, creds.member] : []),
    ...(op.schemes.includes('serviceToken') ? [creds.service] : []),
    ...(op.schemes.includes('adminToken') ? [creds.admin] : []),
  ];
  if (op.schemes.length === 0)
    return fc
      .constantFrom(undefined, creds.owner, creds.service, ...creds.forged.map((f) => f.header))
      .map((value) => ({ value }));
  const wrongKind = [
    ...(op.schemes.includes('userToken') ? [] : [creds.owner]),
    ...(op.schemes.includes('serviceToken') ? [] : [creds.service]),
    ...(op.schemes.includes('adminToken') ? [] : [creds.admin]),
  ];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...accepted).map((value) => ({ value })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...creds.forged).map((f) => ({ value: f.header, bad: `authorization: ${f.name}` })),
    },
    fc
      .string({ unit: 'binary-ascii', maxLength: 60 })
      .filter((s) => /^[\x20-\x7e]*$/.test(s) && s !== creds.service.slice(7) && s !== creds.admin.slice(7))
      .map((s) => ({ value: `Bearer ${s}`, bad: 'authorization: random bearer' })),
    ...(wrongKind.length
      ? [fc.constantFrom(...wrongKind).map((value) => ({ value, bad: 'authorization: the other kind of token' }))]
      : []),
  );
}

interface Body {
  bytes: Buffer;
  contentType: string | undefined;
  chunked: boolean;
}

function body(op: Operation): fc.Arbitrary<Part<Body | undefined>> {
  const schema = op.body;
  if (!schema) {
    // A body the route does not read: noise, never a reason to refuse.
    return fc
      .option(fc.tuple(hostileString, fc.constantFrom(...NON_JSON_CONTENT_TYPES, 'application/json')), {
        nil: undefined,
      })
      .map((b) => ({
        value: b && { bytes: Buffer.from(b[0]), contentType: b[1], chunked: false },
      }));
  }
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(brokenBody(schema), fc.boolean())
        .map(([b, chunked]) => ({ value: { bytes: b.bytes, contentType: 'application/json', chunked }, bad: b.why })),
    },
    fc.tuple(validValue(schema), fc.constantFrom(undefined, ...NON_JSON_CONTENT_TYPES)).map(([v, contentType]) => ({
      value: { bytes: Buffer.from(serialize(v)), contentType, chunked: false },
      bad: `a valid-looking body sent as Content-Type ${String(contentType)}`,
    })),
    fc.tuple(fc.constantFrom(20_000, 600_000), fc.boolean()).map(([size, chunked]) => ({
      value: { bytes: Buffer.from(`{"padding":"${'x'.repeat(size)}"}`), contentType: 'application/json', chunked },
      bad: `a ${size}-byte body without the required fields${chunked ? ', chunked' : ''}`,
    })),
  );
}

function query(op: Operation): fc.Arbitrary<Part<string[]>> {
  const documented = new Set(op.query.map((q) => q.name));
  const nameOf = (p: string) => {
    try {
      return decodeURIComponent(p.split('=')[0] ?? '');
    } catch {
      return p;
    }
  };
  const noise = queryNoise.map((pairs) => pairs.filter((p) => !documented.has(nameOf(p))));
  const pair = (name: string, value: string) => `${percentEncode(name)}=${percentEncode(value)}`;
  const valid = fc.tuple(
    ...op.query.map((q) =>
      q.required
        ? validValue(q.schema).map((v) => [pair(q.name, String(v))])
        : fc.option(
            validValue(q.schema).map((v) => [pair(q.name, String(v))]),
            { nil: [] as string[] },
          ),
    ),
  );
  const breaks: fc.Arbitrary<Part<string[]>>[] = [];
  op.query.forEach((q, i) => {
    if (q.required)
      breaks.push(
        valid.map((parts) => ({ value: parts.filter((_, j) => j !== i).flat(), bad: `query ${q.name} missing` })),
      );
    const broken = brokenQueryValue(q.schema);
    // Every occurrence of the broken parameter is broken, whichever one the router reads.
    if (broken) {
      breaks.push(
        fc.tuple(valid, fc.array(broken, { minLength: 1, maxLength: 2 })).map(([parts, values]) => ({
          value: [...parts.filter((_, j) => j !== i).flat(), ...values.map((v) => pair(q.name, v))],
          bad: `query ${q.name}=${JSON.stringify(values)}`,
        })),
      );
    }
  });
  const documentedPart = breaks.length
    ? fc.oneof(
        valid.map((parts) => ({ value: parts.flat() })),
        ...breaks,
      )
    : fc.constant({ value: [] as string[] });
  return fc
    .tuple(documentedPart, noise)
    .chain(([part, extra]) =>
      fc
        .shuffledSubarray([...part.value, ...extra], { minLength: part.value.length + extra.length })
        .map((value) => ({ ...part, value })),
    );
}

function idempotencyKey(op: Operation): fc.Arbitrary<Part<string | undefined>> {
  if (!op.idempotencyKey) return fc.constant({ value: undefined });
  return fc.oneof(
    fc.constant({ value: undefined }),
    hostileIdempotencyKey.map((value) => ({ value, bad: `Idempotency-Key ${JSON.stringify(value)}` })),
    // Well-formed keys: fresh, or one reused by every run with different broken requests.
    fc
      .constantFrom('sweep-reused-key-0001', 'fresh')
      .map((k) => ({ value: k === 'fresh' ? `sweep-${randomUUID()}` : k })),
  );
}

const headerName = fc
  .stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,30}$/)
  .filter(
    (n) =>
      ![
        'content-length',
        'transfer-encoding',
        'host',
        'connection',
        'authorization',
        'content-type',
        'idempotency-key',
        'expect',
        'upgrade',
      ].includes(n.toLowerCase()),
  );
const headerValue = hostileString
  .map((s) => Buffer.from(s, 'utf8').toString('latin1'))
  .filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s));

/**
 * Operations whose legitimate request starts the organization's workflow (update-with-start): the sweep's queue
 * has no worker, so only their refused variants are sent (the e2e and tenancy tests send the legitimate ones).
 */
const STARTS_WORKFLOW = new Set([
  'POST /api/v1/billing/subscription',
  'POST /api/v1/billing/payment-methods/setup-intent',
]);

/** Every part hostile or legitimate at random; the request must be refused when any documented input is broken. */
export function planFor(op: Operation, creds: Credentials): fc.Arbitrary<Plan> {
  const startsWorkflow = STARTS_WORKFLOW.has(`${op.method.toUpperCase()} ${op.path}`);
  return fc
    .record({
      auth: authorization(op, creds),
      body: body(op),
      query: query(op),
      key: idempotencyKey(op),
      requestId: fc.option(headerValue, { nil: undefined }),
      extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 2 }),
    })
    .map(({ auth, body: b, query: q, key, requestId, extra }) => {
      const refusedBecause = [auth.bad, b.bad, q.bad, key.bad].filter((r): r is string => r !== undefined);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of extra)
        headers[name.toLowerCase()] = [...[headers[name.toLowerCase()] ?? []].flat(), value];
      if (requestId !== undefined) headers['x-request-id'] = requestId;
      if (auth.value !== undefined) headers.authorization = auth.value;
      if (b.value?.contentType) headers['content-type'] = b.value.contentType;
      // A legitimate mutation's outcome is stored under its key; only refused requests may carry a well-formed one.
      if (key.value !== undefined && (key.bad || refusedBecause.length > 0)) headers['idempotency-key'] = key.value;
      const target = `${op.path}${q.value.length ? `?${q.value.join('&')}` : ''}`;
      return {
        request: { method: op.method, target, headers, body: b.value?.bytes, chunked: b.value?.chunked },
        refusedBecause,
      };
    })
    .filter((plan) => !startsWorkflow || plan.refusedBecause.length > 0);
}
