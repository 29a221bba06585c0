import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_SERVICE_TOKEN, userToken } from '../../helpers/tokens';

// Dates and numbers every route takes, at the edges of what Postgres holds: each answered with data or a
// 4xx envelope, never a 500 (year 0000 is valid ISO-8601 and was a 500 from GET /usage).

const ADMIN = 'admin_edge_values_token_0123456789abcdef';
let t: TestDb;
let app: RunningApp;
let user: string;
beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { ADMIN_TOKENS: ADMIN } }));
  user = await userToken({ org: 'org_edges', role: 'owner' });
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});

const cursor = (createdAt: string) =>
  Buffer.from(JSON.stringify({ createdAt, id: '3f1e9a8e-2b1c-4d5e-8f90-123456789abc' })).toString('base64url');

async function get(path: string, token: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${app.url}/api/v1/billing${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { error?: { code: string; requestId: string } };
  if (res.status >= 400) expect(body.error?.requestId).toEqual(expect.any(String));
  return { status: res.status, ...(body.error ? { code: body.error.code } : {}) };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${app.url}/api/v1/billing${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test.each<[string, () => string, () => string, { status: number; code?: string }]>([
  [
    'GET /usage from year 0000',
    () => '/usage?startDate=0000-01-01&endDate=0000-01-02',
    () => user,
    { status: 422, code: 'VALIDATION_FAILED' },
  ],
  ['GET /usage on 0001-01-01', () => '/usage?startDate=0001-01-01&endDate=0001-01-02', () => user, { status: 200 }],
  [
    'GET /usage on 9999-12-31',
    () => '/usage?startDate=9999-12-30&endDate=9999-12-31&granularity=month',
    () => user,
    { status: 200 },
  ],
  [
    'GET /invoices after year 0000',
    () => `/invoices?cursor=${cursor('0000-01-01T00:00:00Z')}`,
    () => user,
    { status: 200 },
  ],
  [
    'GET /invoices after 9999-12-31',
    () => `/invoices?cursor=${cursor('9999-12-31T23:59:59.999999999Z')}`,
    () => user,
    { status: 200 },
  ],
  [
    'GET /admin/health-report in year 0000',
    () => '/admin/health-report?from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z',
    () => ADMIN,
    { status: 200 },
  ],
  [
    'GET /admin/health-report into year 10000',
    () => '/admin/health-report?from=9999-12-31T00:00:00-23:59&to=9999-12-31T23:59:59-23:59',
    () => ADMIN,
    { status: 200 },
  ],
  [
    'GET /admin/invoices/undelivered with a limit past int4',
    () => '/admin/invoices/undelivered?limit=4294967296',
    () => ADMIN,
    { status: 422, code: 'VALIDATION_FAILED' },
  ],
])('%s', async (_name, path, token, expected) => {
  expect(await get(path(), token())).toEqual(expected);
});

test('POST /usage/events with timestamps at year 0000 and 9999 rejects the events, and the largest quantities add up', async () => {
  const at = (id: string, timestamp: string) => ({
    id,
    organizationId: 'org_edges',
    metric: 'messages',
    quantity: 1,
    timestamp,
  });
  const res = await post('/usage/events', {
    events: [at('y0', '0000-01-01T00:00:00Z'), at('y9999', '9999-12-31T23:59:59Z')],
  });
  expect(res).toEqual({
    status: 200,
    body: {
      accepted: 0,
      duplicates: [],
      rejected: [
        expect.objectContaining({ id: 'y0', reason: 'timestamp_too_old' }),
        expect.objectContaining({ id: 'y9999', reason: 'timestamp_in_future' }),
      ],
    },
  });
  const now = new Date().toISOString();
  const big = Array.from({ length: 1_000 }, (_, i) => ({ ...at(`big-${i}`, now), quantity: 1_000_000_000 }));
  expect((await post('/usage/events', { events: big })).body).toMatchObject({ accepted: 1_000 });
  expect(
    (await post('/usage/events', { events: [{ ...at('over', now), quantity: 1_000_000_001 }] })).body,
  ).toMatchObject({
    accepted: 0,
    rejected: [expect.objectContaining({ reason: 'invalid_event' })],
  });
  expect(await get(`/usage?startDate=${now.slice(0, 10)}&endDate=${now.slice(0, 10)}`, user)).toEqual({ status: 200 });
});
