import { sql } from 'kysely';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, TEST_DATABASE_URL, type TestDb } from '../../helpers/db';
import { userToken } from '../../helpers/tokens';
import { loadConfig } from '../../../src/config';
import { createDb, type Db } from '../../../src/db/database';
import { createApiRuntime } from '../../../src/runtime/api-runtime';

let t: TestDb;
let timed: Db;
let app: RunningApp;

beforeAll(async () => {
  t = await createTestDb();
  timed = createDb({ url: TEST_DATABASE_URL, searchPath: t.schema, poolMax: 2, statementTimeoutMs: 300 });
  app = await startTestApp(buildTestAppDeps({ db: timed }));
});
afterAll(async () => {
  await app?.close();
  await timed?.destroy();
  await t?.destroy();
});

test('a pool made with a statement timeout holds it on every connection', async () => {
  const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(timed);
  expect(shown.rows[0]?.statement_timeout).toBe('300ms');
});

test('a query past the statement timeout is cancelled and answered 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
  const authorization = `Bearer ${await userToken({ org: 'org_statement_timeout' })}`;
  // Another session holds the read model's table: the API's read waits on the lock until Postgres cancels it.
  await t.db.transaction().execute(async (trx) => {
    await sql`lock table subscriptions in access exclusive mode`.execute(trx);
    const started = Date.now();
    const res = await fetch(`${app.url}/api/v1/billing/subscription`, { headers: { authorization } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
  });
  const after = await fetch(`${app.url}/api/v1/billing/subscription`, { headers: { authorization } });
  expect(after.status).toBe(200);
});

test("the API's pool takes DATABASE_STATEMENT_TIMEOUT_MS (default 10 s)", async () => {
  expect(loadConfig({}).database.statementTimeoutMs).toBe(10_000);
  const runtime = createApiRuntime(
    loadConfig({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_STATEMENT_TIMEOUT_MS: '1234', LOG_LEVEL: 'silent' }),
  );
  try {
    const shown = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(runtime.deps.db);
    expect(shown.rows[0]?.statement_timeout).toBe('1234ms');
  } finally {
    await runtime.stop();
  }
});
