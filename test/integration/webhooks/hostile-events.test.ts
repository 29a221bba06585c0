import fc from 'fast-check';
import { MAX_EVENT_CREATED } from '../../../src/webhooks/stripe-event';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { signed, stripeEvent, subscriptionObject, uid, type TestEvent } from '../../fixtures/stripe-events';

// A correctly signed event is stored or refused with a 400 (Stripe retries a 5xx for three days):
// every field the inbox stores in a column, and the payload itself, pushed past what Postgres holds.

jest.setTimeout(60_000);

const SECRET = 'whsec_hostile_events_0123456789';
let t: TestDb;
let app: RunningApp;
beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { STRIPE_WEBHOOK_SECRET: SECRET } }));
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});

interface Answer {
  status: number;
  reason?: string;
}

async function deliverText(body: string): Promise<Answer> {
  const s = signed(body, SECRET);
  const res = await fetch(`${app.url}/api/v1/billing/webhooks/stripe`, {
    method: 'POST',
    headers: { 'stripe-signature': s.signature },
    body: s.body,
  });
  const json = (await res.json()) as { error?: { details?: { reason?: string } } };
  return { status: res.status, reason: json.error?.details?.reason };
}

const stored = (id: string) => t.db.selectFrom('stripe_events').selectAll().where('id', '=', id).executeTakeFirst();
const event = (): TestEvent =>
  stripeEvent(
    'customer.subscription.updated',
    subscriptionObject({ customer: uid('cus'), organizationId: uid('org') }),
  );
/** Random printable characters: a btree entry of it cannot be compressed below Postgres' 2704-byte limit. */
const incompressible = (length: number) =>
  Array.from({ length }, () => String.fromCharCode(0x30 + Math.floor(Math.random() * 75))).join('');
const withObject = (e: TestEvent, object: Record<string, unknown>) => ({ ...e, data: { object } });

describe('a signed event Postgres cannot take as it is', () => {
  test.each<[string, (e: TestEvent) => string]>([
    ['created after timestamptz’s last year (294276)', (e) => JSON.stringify({ ...e, created: 9e15 })],
    ['created beyond bigint', (e) => JSON.stringify({ ...e, created: 1e300 })],
    ['a NUL in its type', (e) => JSON.stringify({ ...e, type: 'invoice.\u0000paid' })],
    ['an unpaired surrogate in its type', (e) => JSON.stringify({ ...e, type: 'invoice.paid\udc00' })],
    ['a NUL in its api_version', (e) => JSON.stringify({ ...e, api_version: '2025\u0000' })],
    ['a NUL in its object id', (e) => JSON.stringify(withObject(e, { id: 'sub_\u0000' }))],
    ['an object id longer than 255 characters', (e) => JSON.stringify(withObject(e, { id: incompressible(100_000) }))],
    [
      'an id longer than 255 characters',
      (e) => JSON.stringify({ ...e, id: `evt_${incompressible(20).replace(/\W/g, 'x')}${'a'.repeat(252)}` }),
    ],
    [
      'an id of 100 000 random characters',
      (e) => JSON.stringify({ ...e, id: `evt_${incompressible(100_000).replace(/\W/g, 'x')}` }),
    ],
  ])('with %s is refused as malformed and stores nothing', async (_name, body) => {
    const e = event();
    expect(await deliverText(body(e))).toEqual({ status: 400, reason: 'malformed' });
    expect(await stored(e.id)).toBeUndefined();
  });

  test('nested deeper than Postgres parses is refused as unstorable and stores nothing', async () => {
    const e = event();
    const deep = JSON.stringify(e).replace(
      '"pending_webhooks":1',
      `"pending_webhooks":${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    );
    expect(await deliverText(deep)).toEqual({ status: 400, reason: 'unstorable' });
    expect(await stored(e.id)).toBeUndefined();
  });

  test('created at the last second of 9999 is stored with that time', async () => {
    const e = { ...event(), created: MAX_EVENT_CREATED };
    expect((await deliverText(JSON.stringify(e))).status).toBe(200);
    expect((await stored(e.id))?.stripe_created_at.toISOString()).toBe('9999-12-31T23:59:59.000Z');
  });

  test.each<
    [string, (e: TestEvent) => string, (payload: { data: { object: Record<string, unknown> } }) => unknown, unknown]
  >([
    [
      'a NUL in a string',
      (e) => JSON.stringify(withObject(e, { id: 'sub_1', description: 'a\u0000b' })),
      (p) => p.data.object.description,
      'a\ufffdb',
    ],
    [
      'a NUL in a key',
      (e) => JSON.stringify(withObject(e, { id: 'sub_1', ['k\u0000']: 1 })),
      (p) => p.data.object['k\ufffd'],
      1,
    ],
    [
      'an unpaired surrogate',
      (e) => JSON.stringify(withObject(e, { id: 'sub_1', description: 'x\ud800y' })),
      (p) => p.data.object.description,
      'x\ufffdy',
    ],
    [
      'a pair of surrogates (kept)',
      (e) => JSON.stringify(withObject(e, { id: 'sub_1', description: '\ud83d\ude00\u0000' })),
      (p) => p.data.object.description,
      '\ud83d\ude00\ufffd',
    ],
    [
      'a number beyond numeric',
      (e) => JSON.stringify(withObject(e, { id: 'sub_1', amount: 7 })).replace('"amount":7', '"amount":1e1000000'),
      (p) => p.data.object.amount,
      null,
    ],
  ])('with %s in its payload is stored with the value made storable', async (_name, body, pick, expected) => {
    const e = event();
    expect((await deliverText(body(e))).status).toBe(200);
    const row = await stored(e.id);
    expect(pick(row?.payload as { data: { object: Record<string, unknown> } })).toEqual(expected);
  });

  test.each<[string, unknown]>([
    ['a NUL', 'org_\u0000'],
    ['100 000 random characters', incompressible(100_000)],
    ['a number', 42],
  ])('whose metadata organization_id holds %s is stored without an organization', async (_name, organizationId) => {
    const e = event();
    const body = JSON.stringify(
      withObject(e, { id: uid('sub'), customer: 'cus_\u0000', metadata: { organization_id: organizationId } }),
    );
    expect((await deliverText(body)).status).toBe(200);
    expect((await stored(e.id))?.organization_id).toBeNull();
  });
});

/** Values that have broken a column, an index, jsonb or a timestamp before, and plain ones. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000', '\ud800', '\udc00x', '', ' ', '1e309', '\r\n', 'x'.repeat(300)),
  fc.constantFrom(
    0,
    -1,
    1e300,
    -1e300,
    MAX_EVENT_CREATED,
    MAX_EVENT_CREATED + 1,
    2 ** 63,
    0.5,
    Number.MAX_SAFE_INTEGER,
  ),
  fc.constant(null),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant(incompressible(5_000)),
);
const field = <T>(legit: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: legit }, hostileValue);

test('fuzzed stored fields: every signed event is stored (200) or refused (400), never a 5xx', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        id: field(fc.constant('legit')),
        type: field(fc.constantFrom('invoice.paid', 'customer.subscription.updated', 'x.y')),
        created: field(fc.integer({ min: 1, max: MAX_EVENT_CREATED })),
        apiVersion: field(fc.constantFrom('2025-09-30.clover', null)),
        objectId: field(fc.constantFrom('sub_1', 'in_2', undefined)),
        customer: field(fc.constantFrom('cus_1', undefined)),
        organizationId: field(fc.constantFrom('org_1', undefined)),
        extra: fc.jsonValue({ maxDepth: 3 }),
        hostileExtra: hostileValue,
      }),
      async (f) => {
        runs++;
        const id = f.id === 'legit' ? uid('evt') : f.id;
        const body = JSON.stringify({
          ...event(),
          id,
          type: f.type,
          created: f.created,
          api_version: f.apiVersion,
          data: {
            object: {
              id: f.objectId,
              customer: f.customer,
              metadata: { organization_id: f.organizationId },
              extra: f.extra,
              [typeof f.hostileExtra === 'string' ? f.hostileExtra : 'k']: f.hostileExtra,
            },
          },
        });
        const answer = await deliverText(body);
        expect([200, 400]).toContain(answer.status);
        // An id Postgres can be asked about (printable ASCII): stored exactly when the answer was 200.
        if (typeof id === 'string' && /^[\x20-\x7e]{0,1000}$/.test(id))
          expect((await stored(id)) !== undefined).toBe(answer.status === 200);
      },
    ),
    { numRuns: 150 },
  );
  expect(runs).toBe(150);
});
