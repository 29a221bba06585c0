import * as subscriptions from '../../../src/db/read-models/subscriptions';
import { registerReadModelGauges } from '../../../src/api/read-model-gauges';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { TEST_METRICS_TOKEN } from '../../helpers/tokens';

let t: TestDb;
let guarded: RunningApp;
let open: RunningApp;
let now = Date.now();

beforeAll(async () => {
  t = await createTestDb();
  guarded = await startTestApp(buildTestAppDeps({ db: t.db, env: { METRICS_TOKENS: TEST_METRICS_TOKEN } }));
  open = await startTestApp(buildTestAppDeps({ db: t.db }));
  for (const app of [guarded, open])
    registerReadModelGauges(app.deps.metrics.billingRegistry, t.db, { cacheMs: 15_000, now: () => now });
});
afterAll(async () => {
  await guarded?.close();
  await open?.close();
  await t?.destroy();
});

const scrape = (app: RunningApp, authorization?: string) =>
  fetch(`${app.url}/metrics`, { headers: authorization ? { authorization } : {} });

test('with METRICS_TOKENS set, /metrics answers only a holder of one, and gives it the billing figures', async () => {
  for (const authorization of [undefined, 'Bearer wrong_metrics_token_0123456789abcdef', 'Basic x']) {
    const res = await scrape(guarded, authorization);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  }
  const res = await scrape(guarded, `Bearer ${TEST_METRICS_TOKEN}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('# TYPE billing_subscriptions gauge');
  expect(text).toContain('# TYPE billing_http_request_duration_seconds histogram');
});

test('without METRICS_TOKENS, /metrics serves the process and HTTP figures to anyone, and no billing figure', async () => {
  const res = await scrape(open);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('billing_http_request_duration_seconds');
  expect(text).not.toMatch(/billing_subscriptions|billing_dunning|billing_email_outbox|billing_webhook_inbox/);
});

test("a scrape's database cost is bounded: each count runs once per METRICS_CACHE_MS, however many scrapes", async () => {
  const counted = jest.spyOn(subscriptions, 'countLiveSubscriptions');
  try {
    now += 60_000;
    await Promise.all(Array.from({ length: 10 }, () => scrape(guarded, `Bearer ${TEST_METRICS_TOKEN}`)));
    for (let i = 0; i < 10; i++) await (await scrape(guarded, `Bearer ${TEST_METRICS_TOKEN}`)).text();
    expect(counted).toHaveBeenCalledTimes(1);
    now += 15_000;
    await (await scrape(guarded, `Bearer ${TEST_METRICS_TOKEN}`)).text();
    expect(counted).toHaveBeenCalledTimes(2);
  } finally {
    counted.mockRestore();
  }
});
