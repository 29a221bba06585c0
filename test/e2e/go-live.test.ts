import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { syncCatalog } from '../../src/stripe/catalog-sync';
import { createMailSink, type MailSink } from '../../tools/mail-sink';
import { freePort, waitForHttp } from '../../tools/support/processes';
import type { GoLiveReport } from '../../tools/go-live/run';
import { JOURNEYS } from '../../tools/go-live/journeys';
import { createTestDb, type TestDb } from '../helpers/db';
import { runEntryPoint, startEntryPoint, type Exited, type RunningEntryPoint } from '../helpers/processes';
import { uniqueTaskQueue } from '../helpers/temporal';
import { TEST_SERVICE_TOKEN } from '../helpers/tokens';

jest.setTimeout(300_000);

const WEBHOOK_SECRET = 'whsec_go_live_check';
const JWT_SECRET = 'go-live-test-jwt-secret-0123456789abcdef';

/**
 * `npm run test:stripe` against the simulator started as its own process and reached only over HTTP, with the
 * worker and the API as their real entry points: the same run a team does against its Stripe test account.
 */
let db: TestDb;
let mail: MailSink;
let sim: RunningEntryPoint;
let worker: RunningEntryPoint;
let api: RunningEntryPoint;
let simUrl: string;
let run: Exited;
let report: GoLiveReport;

beforeAll(async () => {
  [db, mail] = await Promise.all([createTestDb(), createMailSink()]);
  const [simPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  simUrl = `http://127.0.0.1:${simPort}`;
  sim = startEntryPoint('tools/stripe-sim/main.ts', {}, [
    '--port',
    String(simPort),
    '--webhook-secret',
    WEBHOOK_SECRET,
  ]);
  await waitForHttp(`${simUrl}/_sim/requests`, 60_000);
  const stripe = new Stripe('sk_test_go_live', { host: '127.0.0.1', port: simPort, protocol: 'http' });
  await syncCatalog(stripe);
  await fetch(`${simUrl}/_sim/requests`, { method: 'DELETE' });
  await fetch(`${simUrl}/_sim/control-requests`, { method: 'DELETE' });

  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_SDK_METRICS_PORT: String(await freePort()),
    DATABASE_URL: url.toString(),
    DATABASE_POOL_MAX: '4',
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('go-live'),
    STRIPE_API_URL: simUrl,
    // No STRIPE_SECRET_KEY: the service then knows it talks to the simulator and registers its webhook URL there.
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_TEST_CLOCKS: '1',
    SMTP_URL: mail.smtpUrl,
    BILLING_POLICY_PROFILE: 'demo',
    USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN,
    JWT_SECRET,
  };
  worker = startEntryPoint('src/worker.ts', env);
  api = startEntryPoint('src/server.ts', env);
  await waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, 120_000);
  await waitForHttp(`http://127.0.0.1:${apiPort}/readyz`, 60_000);

  const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'go-live-')), 'report.json');
  run = await runEntryPoint(
    'tools/go-live/main.ts',
    {
      STRIPE_API_URL: simUrl,
      STRIPE_SECRET_KEY: 'sk_test_go_live',
      BILLING_API_URL: `http://127.0.0.1:${apiPort}`,
      JWT_SECRET,
      GO_LIVE_USAGE_TOKEN: TEST_SERVICE_TOKEN,
    },
    ['--report', reportFile, '--concurrency', '5'],
    240_000,
  );
  report = JSON.parse(readFileSync(reportFile, 'utf8')) as GoLiveReport;
});

afterAll(async () => {
  await Promise.allSettled([api?.stop(), worker?.stop()]);
  await sim?.stop();
  await mail?.close();
  await db?.destroy();
});

test('every journey passes against the simulator, and the run exits 0 with a report per journey', () => {
  const summary = report.journeys.map((j) => `${j.name}: ${j.outcome} — ${j.detail}`);
  if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stdout}\n${run.stderr}\n${api.output()}`);
  expect(report.preflight.filter((c) => c.verdict === 'fail')).toEqual([]);
  expect(report.journeys.map((j) => j.name)).toEqual(JOURNEYS.map((j) => j.name));
  expect(summary.filter((l) => !l.includes(': passed —'))).toEqual([]);
  expect(run.stdout).toContain(`✓ ${JOURNEYS.length} passed, 0 failed, 0 skipped`);
});

test('it cleaned up after itself: every test clock it created is deleted, with its customers', async () => {
  expect(report.cleanup).toEqual({ testClocksDeleted: JOURNEYS.length, customersDeleted: 0, errors: [] });
  const res = await fetch(`${simUrl}/v1/customers?limit=100`, { headers: { authorization: 'Bearer sk_test_go_live' } });
  const customers = ((await res.json()) as { data: { email: string | null }[] }).data;
  expect(customers.filter((c) => c.email?.includes('@go-live.example'))).toEqual([]);
});

test("nothing but Stripe's public API was used, plus the documented 3-D Secure challenge control", async () => {
  const api = (await (await fetch(`${simUrl}/_sim/requests`)).json()) as { data: { method: string; path: string }[] };
  const control = (await (await fetch(`${simUrl}/_sim/control-requests`)).json()) as {
    data: { method: string; path: string }[];
  };
  // The API's and the worker's calls are here too: everything that reached the simulator after the catalog sync.
  expect(api.data.length).toBeGreaterThan(50);
  expect(api.data.map((r) => `${r.method} ${r.path}`).filter((r) => !/^(GET|POST|DELETE) \/v1\//.test(r))).toEqual([]);
  const used = control.data.map((r) => `${r.method} ${r.path}`);
  expect(used.filter((r) => !/^POST \/_sim\/payment_intents\/pi_\w+\/authenticate$/.test(r))).toEqual([]);
  // Both 3-D Secure journeys passed their challenge through it.
  expect(used).toHaveLength(2);
});
