import { request, type Server } from 'node:http';
import { createApp } from '../../../src/api/app';
import { createHttpServer, listen } from '../../../src/api/http-server';
import { RELAYED_EVENT_TYPES } from '../../../src/webhooks/handled-events';
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../../src/api/routes/stripe-webhook';
import { buildTestAppDeps, countedRequests, startTestApp, type RunningApp } from '../../helpers/app';
import { createDb } from '../../../src/db/database';
import { createTestDb, type TestDb } from '../../helpers/db';
import {
  invoiceObject,
  paymentMethodObject,
  signed,
  stripeEvent,
  subscriptionObject,
  uid,
  type TestEvent,
} from '../../fixtures/stripe-events';

const OLD_SECRET = 'whsec_old_rotating_out_0123456789';
const NEW_SECRET = 'whsec_new_rotating_in_0123456789';

let t: TestDb;
let app: RunningApp;
beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(
    buildTestAppDeps({ db: t.db, env: { STRIPE_WEBHOOK_SECRET: `${OLD_SECRET},${NEW_SECRET}` } }),
  );
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});

async function post(
  body: string,
  signature?: string,
): Promise<{
  status: number;
  json: {
    received?: boolean;
    duplicate?: boolean;
    error?: { code: string; message: string; details?: { reason: string } };
  };
}> {
  const res = await fetch(`${app.url}/api/v1/billing/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body,
  });
  return { status: res.status, json: (await res.json()) as never };
}

const deliver = (event: TestEvent, secret = NEW_SECRET) => {
  const s = signed(JSON.stringify(event), secret);
  return post(s.body, s.signature);
};

const storedRows = (id: string) => t.db.selectFrom('stripe_events').selectAll().where('id', '=', id).execute();
const outcome = async (name: string) =>
  (await app.deps.metrics.webhookOutcomes.get()).values.find((v) => v.labels.outcome === name)?.value ?? 0;

function eventFor(type: (typeof RELAYED_EVENT_TYPES)[number], org: string, customer: string): TestEvent {
  if (type.startsWith('customer.subscription.'))
    return stripeEvent(type, subscriptionObject({ customer, organizationId: org }));
  if (type.startsWith('invoice.'))
    return stripeEvent(type, invoiceObject({ customer, subscription: uid('sub'), organizationId: org }));
  if (type === 'payment_method.detached')
    return stripeEvent(type, paymentMethodObject({ customer: null }), { previous: { customer } });
  return stripeEvent(type, paymentMethodObject({ customer }));
}

describe('a correctly signed delivery', () => {
  test.each(RELAYED_EVENT_TYPES)('of %s is stored with its organization and acknowledged', async (type) => {
    const org = uid('org');
    const customer = uid('cus');
    await t.db
      .insertInto('billing_customers')
      .values({ organization_id: org, stripe_customer_id: customer, stripe_test_clock_id: null, email: null })
      .execute();
    const event = eventFor(type, org, customer);

    const res = await deliver(event);

    expect(res).toEqual({ status: 200, json: { received: true, duplicate: false } });
    const [row] = await storedRows(event.id);
    expect(row).toMatchObject({
      type,
      object_id: (event.data.object as { id: string }).id,
      organization_id: org,
      relay_status: 'pending',
      livemode: false,
    });
    expect(row?.stripe_created_at.getTime()).toBe(event.created * 1000);
    expect(row?.payload).toEqual(JSON.parse(JSON.stringify(event)));
  });

  test('of a type nobody handles is stored and acknowledged', async () => {
    const event = stripeEvent('charge.refunded', { id: uid('ch'), object: 'charge' });
    expect((await deliver(event)).status).toBe(200);
    expect(await storedRows(event.id)).toHaveLength(1);
  });

  test('for a customer the service does not know is stored without an organization', async () => {
    const event = stripeEvent('payment_method.attached', paymentMethodObject({ customer: uid('cus') }));
    expect((await deliver(event)).status).toBe(200);
    expect((await storedRows(event.id))[0]?.organization_id).toBeNull();
  });

  test('signed with the other secret during a rotation is accepted', async () => {
    const event = stripeEvent('customer.subscription.updated', subscriptionObject({ customer: uid('cus') }));
    expect((await deliver(event, OLD_SECRET)).status).toBe(200);
    expect(await storedRows(event.id)).toHaveLength(1);
  });

  test('delivered twice is stored once; the second answer says duplicate and changes nothing', async () => {
    const event = stripeEvent('invoice.paid', invoiceObject({ customer: uid('cus'), status: 'paid' }));
    expect((await deliver(event)).json).toEqual({ received: true, duplicate: false });
    const before = await storedRows(event.id);
    const duplicates = await outcome('duplicate');

    const again = await deliver({ ...event, data: { object: { ...event.data.object, amount_paid: 1 } } });

    expect(again).toEqual({ status: 200, json: { received: true, duplicate: true } });
    expect(await storedRows(event.id)).toEqual(before);
    expect(await outcome('duplicate')).toBe(duplicates + 1);
  });
});

describe('a delivery that cannot be trusted is refused, stores nothing and is counted', () => {
  const event = () =>
    stripeEvent(
      'customer.subscription.created',
      subscriptionObject({ customer: uid('cus'), organizationId: uid('org') }),
    );

  test.each([
    [
      'signed with an unknown secret',
      'bad_signature',
      (e: TestEvent) => signed(JSON.stringify(e), 'whsec_attacker_guess_0123456789'),
    ],
    [
      'with a timestamp older than the tolerance',
      'stale_timestamp',
      (e: TestEvent) => signed(JSON.stringify(e), NEW_SECRET, Math.floor(Date.now() / 1000) - 301),
    ],
    [
      'whose body was changed after signing',
      'bad_signature',
      (e: TestEvent) => {
        const s = signed(JSON.stringify(e), NEW_SECRET);
        return { body: s.body.replace('"active"', '"canceled"'), signature: s.signature };
      },
    ],
    ['whose signed body is not JSON', 'malformed', () => signed('{"id":"evt_1",', NEW_SECRET)],
    [
      'whose signed body is not an event',
      'malformed',
      () => signed(JSON.stringify({ id: uid('evt'), object: 'charge' }), NEW_SECRET),
    ],
    [
      'from live mode to a test-mode service',
      'livemode_mismatch',
      (e: TestEvent) => signed(JSON.stringify({ ...e, livemode: true }), NEW_SECRET),
    ],
  ])('%s → 400 %s', async (_name, reason, make) => {
    const e = event();
    const before = await outcome(`rejected_${reason}`);
    const { body, signature } = make(e);

    const res = await post(body, signature);

    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'INVALID_REQUEST', details: { reason } });
    expect(res.json.error?.message).toBeTruthy();
    expect(await storedRows(e.id)).toHaveLength(0);
    expect(await outcome(`rejected_${reason}`)).toBe(before + 1);
  });

  test('without a Stripe-Signature header → 400', async () => {
    const e = event();
    const res = await post(JSON.stringify(e));
    expect(res.status).toBe(400);
    expect(res.json.error?.details?.reason).toBe('missing_signature');
    expect(await storedRows(e.id)).toHaveLength(0);
  });

  test('larger than the limit (Content-Length declared) → 413', async () => {
    const e = { ...event(), padding: 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES) };
    const { body, signature } = signed(JSON.stringify(e), NEW_SECRET);
    const res = await post(body, signature);
    expect(res.status).toBe(413);
    expect(res.json.error?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedRows(e.id)).toHaveLength(0);
  });

  test('larger than the limit, streamed without Content-Length → 413 counted on the actual bytes', async () => {
    const e = { ...event(), padding: 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES) };
    const { body, signature } = signed(JSON.stringify(e), NEW_SECRET);
    const before = await outcome('rejected_too_large');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${app.url}/api/v1/billing/webhooks/stripe`,
        { method: 'POST', headers: { 'stripe-signature': signature, 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 16 * 1024) req.write(body.slice(i, i + 16 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(await storedRows(e.id)).toHaveLength(0);
    expect(await outcome('rejected_too_large')).toBe(before + 1);
  });
});

describe("the server's node:http adapter for Stripe's deliveries, beside the endpoint's Hono route alone", () => {
  const PATH = '/api/v1/billing/webhooks/stripe';
  // The endpoint's node:http adapter matches the pathname, so a query string changes nothing about who answers.
  const WITH_QUERY = `${PATH}?via=query`;
  /** The same app and dependencies served by Hono alone. */
  let honoOnly: Server;
  let honoUrl: string;
  beforeAll(async () => {
    honoOnly = createHttpServer(createApp(app.deps), app.deps, []);
    honoUrl = `http://127.0.0.1:${(await listen(honoOnly, '127.0.0.1', 0)).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => honoOnly.close(resolve));
  });

  async function postTo(path: string, body: string, headers: Record<string, string>, base = app.url) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const json = (await res.json()) as { error?: { requestId?: string } };
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      requestId: res.headers.get('x-request-id'),
      retryAfter: res.headers.get('retry-after'),
      json,
    };
  }
  const withoutRequestId = (json: { error?: { requestId?: string } }) =>
    json.error ? { error: { ...json.error, requestId: '…' } } : json;
  const subscriptionEvent = () =>
    stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ customer: uid('cus'), organizationId: uid('org') }),
    );

  test.each([
    ['accepted', () => signed(JSON.stringify(subscriptionEvent()), NEW_SECRET)],
    ['bad signature', () => signed(JSON.stringify(subscriptionEvent()), 'whsec_attacker_guess_0123456789')],
    ['missing signature', () => ({ body: JSON.stringify(subscriptionEvent()), signature: '' })],
    [
      'too large',
      () =>
        signed(JSON.stringify({ ...subscriptionEvent(), padding: 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES) }), NEW_SECRET),
    ],
  ])('answers a delivery (%s) exactly as the Hono route does, with or without a query string', async (_name, make) => {
    const { body, signature } = make();
    const headers: Record<string, string> = signature ? { 'stripe-signature': signature } : {};

    const direct = await postTo(PATH, body, headers);
    // The same bytes again through the route alone and with a query string: a duplicate if the first was stored, else the same refusal.
    const routed = await postTo(PATH, body, headers, honoUrl);
    const queried = await postTo(WITH_QUERY, body, headers);
    expect({ status: queried.status, json: withoutRequestId(queried.json) }).toEqual({
      status: routed.status,
      json: withoutRequestId(routed.json),
    });

    expect(direct.contentType).toMatch(/^application\/json/);
    expect(routed.contentType).toMatch(/^application\/json/);
    expect(direct.requestId).toMatch(/^req_/);
    if (direct.status === 200) {
      expect(direct.json).toEqual({ received: true, duplicate: false });
      expect(routed).toMatchObject({ status: 200, json: { received: true, duplicate: true } });
    } else {
      expect(direct.json.error?.requestId).toBe(direct.requestId);
      expect({ status: routed.status, json: withoutRequestId(routed.json) }).toEqual({
        status: direct.status,
        json: withoutRequestId(direct.json),
      });
    }
  });

  test("keeps a caller's X-Request-Id and counts the request's latency under the route's template", async () => {
    const count = () => countedRequests(app.deps, PATH, '400');
    const before = await count();

    const res = await postTo(PATH, JSON.stringify(subscriptionEvent()), { 'x-request-id': 'trace-0123456789' });

    expect(res).toMatchObject({
      status: 400,
      requestId: 'trace-0123456789',
      json: { error: { requestId: 'trace-0123456789' } },
    });
    expect(await count()).toBe(before + 1);
  });

  test('answers 503 with Retry-After when Postgres is unreachable, like every other route', async () => {
    const unreachable = createDb({ url: 'postgres://billing@127.0.0.1:1/billing', poolMax: 1 });
    const down = await startTestApp(buildTestAppDeps({ db: unreachable, env: { STRIPE_WEBHOOK_SECRET: NEW_SECRET } }));
    try {
      const { body, signature } = signed(JSON.stringify(subscriptionEvent()), NEW_SECRET);
      const res = await postTo(PATH, body, { 'stripe-signature': signature }, down.url);
      expect(res).toMatchObject({ status: 503, retryAfter: '5', json: { error: { code: 'SERVICE_UNAVAILABLE' } } });
    } finally {
      await down.close();
      await unreachable.destroy();
    }
  });
});
