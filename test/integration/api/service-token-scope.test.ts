import { sql } from 'kysely';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { event, uniqueOrg } from '../usage/support';

const BOUND = 'svc_bound_token_0123456789abcdef';
const FREE = 'svc_free_token_0123456789abcdefgh';
const orgA = uniqueOrg();
const orgB = uniqueOrg();

let t: TestDb;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { USAGE_SERVICE_TOKENS: `${BOUND}@${orgA},${FREE}` } }));
});
afterAll(async () => {
  await app?.close();
  await t?.destroy();
});

const post = (path: string, token: string, body: unknown) =>
  fetch(`${app.url}/api/v1/billing${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const usageRows = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from usage_events`.execute(t.db)).rows[0]?.n ?? 0);
const recent = () => new Date(Date.now() - 1_000).toISOString();

test('a bound service token ingests for its organization and is refused, whole batch, for another', async () => {
  const own = await post('/usage/events', BOUND, { events: [event(orgA, 'messages', 1, recent(), 'scope-own-1')] });
  expect(own.status).toBe(200);
  const before = await usageRows();
  const mixed = await post('/usage/events', BOUND, {
    events: [
      event(orgA, 'messages', 1, recent(), 'scope-own-2'),
      event(orgB, 'messages', 1, recent(), 'scope-other-1'),
    ],
  });
  expect(mixed.status).toBe(403);
  expect(((await mixed.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({
    code: 'FORBIDDEN',
    details: { organizationId: orgB },
  });
  expect(await usageRows()).toBe(before);
});

test('a bound service token checks entitlements of its organization only; an unbound token of any', async () => {
  const check = (token: string, organizationId: string) =>
    post('/entitlements/check', token, { organizationId, metric: 'messages', quantity: 1 });
  expect((await check(BOUND, orgA)).status).toBe(200);
  expect((await check(BOUND, orgB)).status).toBe(403);
  expect((await check(FREE, orgB)).status).toBe(200);
  const list = await fetch(`${app.url}/api/v1/billing/entitlements?organizationId=${orgB}`, {
    headers: { authorization: `Bearer ${BOUND}` },
  });
  expect(list.status).toBe(403);
});
