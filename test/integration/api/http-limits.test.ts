import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { RawConnection, chunk, head } from '../../helpers/raw-http';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';

const BILLING = '/api/v1/billing';
const LIMITS = {
  HTTP_HEADERS_TIMEOUT_MS: '600',
  HTTP_REQUEST_TIMEOUT_MS: '1200',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
};

let t: TestDb;
let app: RunningApp;
let owner: string;

beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: LIMITS }));
  owner = `Bearer ${await userToken({ org: 'org_limits' })}`;
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

async function exchange(bytes: string, opts: { index?: number } = {}) {
  const c = await RawConnection.open(app.url);
  c.write(bytes);
  const res = await c.response(opts.index ?? 0, 3_000);
  return { c, res, code: res ? (JSON.parse(res.text) as { error?: { code: string } }).error?.code : undefined };
}

describe('body limits come before authentication and before the body is read', () => {
  test('an anonymous caller declaring a body past the limit is refused 413 without its token being looked at', async () => {
    const { c, res, code } = await exchange(
      head('PATCH', `${BILLING}/subscription`, { 'Content-Length': 100_000, 'Content-Type': 'application/json' }),
    );
    expect([res?.status, code, res?.headers.connection]).toEqual([413, 'PAYLOAD_TOO_LARGE', 'close']);
    expect(await c.closedWithin(2_000)).toBe(true);
  });

  test("an anonymous caller's streamed body is not read: 401 at once, and the connection closes instead of draining it", async () => {
    const c = await RawConnection.open(app.url);
    c.write(
      head('PATCH', `${BILLING}/subscription`, { 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/json' }),
    );
    c.write(chunk('{"planId":'));
    const res = await c.response(0, 3_000);
    expect([res?.status, res?.headers.connection]).toEqual([401, 'close']);
    // The server does not keep reading (and discarding) whatever the client goes on sending.
    for (let i = 0; i < 20 && !c.closed; i++) c.write(chunk('x'.repeat(1_000)));
    expect(await c.closedWithin(2_000)).toBe(true);
  });

  test('an anonymous caller of the user-or-service entitlements check is refused 401 before its body is parsed', async () => {
    const body = 'not json at all';
    const { res, code } = await exchange(
      head('POST', `${BILLING}/entitlements/check`, {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      }) + body,
    );
    expect([res?.status, code]).toEqual([401, 'UNAUTHORIZED']);
  });

  test('a service token still reaches the entitlements check (its body is read after the token is checked)', async () => {
    const body = JSON.stringify({ metric: 'nope', quantity: 1 });
    const { res, code } = await exchange(
      head('POST', `${BILLING}/entitlements/check`, {
        Authorization: `Bearer ${TEST_SERVICE_TOKEN}`,
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      }) + body,
    );
    expect([res?.status, code]).toEqual([422, 'VALIDATION_FAILED']);
  });

  test('a webhook delivery without Stripe-Signature is refused on its headers, before its body arrives', async () => {
    const { c, res, code } = await exchange(
      head('POST', `${BILLING}/webhooks/stripe`, { 'Content-Type': 'application/json', 'Content-Length': 50_000 }),
    );
    expect([res?.status, code, res?.headers.connection]).toEqual([400, 'INVALID_REQUEST', 'close']);
    expect(JSON.parse(res?.text ?? '{}').error.details).toEqual({ reason: 'missing_signature' });
    c.destroy();
  });

  test('a route without a request body refuses one (declared or streamed) with 413', async () => {
    const declared = await exchange(head('GET', `${BILLING}/plans`, { 'Content-Length': 10 }) + '0123456789');
    expect([declared.res?.status, declared.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const streamed = await exchange(
      head('GET', `${BILLING}/subscription`, { 'Transfer-Encoding': 'chunked', Authorization: owner }),
    );
    expect([streamed.res?.status, streamed.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  test('a route that named no limit gets the default one (the preview, a member may call)', async () => {
    const { res, code } = await exchange(
      head('POST', `${BILLING}/subscription/preview`, {
        Authorization: owner,
        'Content-Type': 'application/json',
        'Content-Length': 1_000_000,
      }),
    );
    expect([res?.status, code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});

describe('a refused request never poisons a keep-alive connection', () => {
  test.each([
    ['an oversized webhook', 'POST', `${BILLING}/webhooks/stripe`, { 'stripe-signature': 't=1,v1=x' }, 2_000_000, 413],
    ['an unsigned webhook', 'POST', `${BILLING}/webhooks/stripe`, {}, 200_000, 400],
    ['an anonymous change', 'PATCH', `${BILLING}/subscription`, {}, 10_000, 401],
    ['an oversized change', 'PATCH', `${BILLING}/subscription`, { authorization: 'owner' }, 2_000_000, 413],
    ['a body on a read', 'POST', `${BILLING}/plans`, {}, 10_000, 404],
  ])('after %s, the next request through the same client is answered', async (_what, method, path, h, size, status) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(h)) headers[k] = v === 'owner' ? owner : v;
    for (let i = 0; i < 3; i++) {
      const refused = await fetch(app.url + path, { method, headers, body: 'x'.repeat(size) });
      await refused.text();
      expect(refused.status).toBe(status);
      const next = await fetch(`${app.url}/healthz`);
      await next.text();
      expect(next.status).toBe(200);
    }
  });
});

describe('the server bounds what a client may hold', () => {
  test('headers not finished within HTTP_HEADERS_TIMEOUT_MS get a 408 envelope and a close', async () => {
    const c = await RawConnection.open(app.url);
    c.write(`GET ${BILLING}/plans HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const res = await c.response(0, 4_000);
    expect([res?.status, res && JSON.parse(res.text).error.code]).toEqual([408, 'REQUEST_TIMEOUT']);
    expect(await c.closedWithin(1_000)).toBe(true);
    expect(c.closedAfterMs).toBeLessThan(3_000);
  });

  test('a body that stalls past HTTP_REQUEST_TIMEOUT_MS gets a 408 envelope and a close; the server answers on', async () => {
    const c = await RawConnection.open(app.url);
    c.write(
      head('PATCH', `${BILLING}/subscription`, {
        Authorization: owner,
        'Content-Type': 'application/json',
        'Content-Length': 100,
      }) + '{"planId":',
    );
    const res = await c.response(0, 4_000);
    expect([res?.status, res && JSON.parse(res.text).error.code]).toEqual([408, 'REQUEST_TIMEOUT']);
    expect(await c.closedWithin(1_000)).toBe(true);
    expect(c.closedAfterMs).toBeLessThan(3_500);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  test('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const c = await RawConnection.open(app.url);
    c.write(head('GET', '/healthz'));
    expect((await c.response(0))?.status).toBe(200);
    expect(await c.closedWithin(3_000)).toBe(true);
  });

  test('a request head past HTTP_MAX_HEADER_BYTES gets a 431 envelope', async () => {
    const { res, code } = await exchange(head('GET', `${BILLING}/plans`, { 'X-Padding': 'p'.repeat(20_000) }));
    expect([res?.status, code]).toEqual([431, 'HEADERS_TOO_LARGE']);
    // The request id is in the header as in the envelope, as on every other answer.
    expect(res?.headers['x-request-id']).toBe(JSON.parse(res?.text ?? '{}').error.requestId);
  });

  test('bytes that are not HTTP get a 400 envelope and a close', async () => {
    const { c, res, code } = await exchange('HELLO THERE\r\n\r\n');
    expect([res?.status, code]).toEqual([400, 'INVALID_REQUEST']);
    expect(res?.headers['x-request-id']).toMatch(/^req_/);
    expect(await c.closedWithin(2_000)).toBe(true);
  });
});

describe('the connection cap', () => {
  let capped: RunningApp;
  beforeAll(async () => {
    capped = await startTestApp(buildTestAppDeps({ db: t.db, env: { HTTP_MAX_CONNECTIONS: '3' } }));
  });
  afterAll(async () => {
    await capped?.close();
  });

  test('sockets past HTTP_MAX_CONNECTIONS are closed unanswered; once one leaves, a new one is served', async () => {
    const held = await Promise.all([1, 2, 3].map(() => RawConnection.open(capped.url)));
    for (const c of held) c.write(head('GET', '/healthz'));
    for (const c of held) expect((await c.response(0))?.status).toBe(200);
    const extra = await RawConnection.open(capped.url);
    extra.write(head('GET', '/healthz'));
    expect(await extra.closedWithin(2_000)).toBe(true);
    expect(extra.raw).toBe('');
    held[0]?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const next = await RawConnection.open(capped.url);
    next.write(head('GET', '/healthz'));
    expect((await next.response(0))?.status).toBe(200);
    for (const c of [...held, next]) c.destroy();
  });
});
