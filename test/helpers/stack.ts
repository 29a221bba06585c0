import Stripe from 'stripe';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../src/activities';
import { createPollingLoop } from '../../src/notifications/polling-loop';
import { reportDueOverage } from '../../src/usage';
import { loadConfig, type Config } from '../../src/config';
import { billingEmailResolver, createEmailDispatcher, createOutboxNotifier, createSmtpTransport, type EmailDispatcher } from '../../src/notifications';
import { createStripeClient } from '../../src/stripe/client';
import { ensureWebhookEndpoint } from '../../src/webhooks/register-endpoint';
import { createWebhookRelay, type WebhookRelay } from '../../src/webhooks/relay';
import { createStripeSimulator, type StripeSimulator } from '../../tools/stripe-sim';
import { createMailSink, type MailSink } from '../../tools/mail-sink';
import { buildTestAppDeps, startTestApp, type RunningApp } from './app';
import { createTestDb, type TestDb } from './db';
import { connectDevServer, uniqueTaskQueue } from './temporal';
import { TEST_SERVICE_TOKEN } from './tokens';

const WEBHOOK_SECRET = 'whsec_e2e_stack_secret';

/**
 * The whole product in one process, every piece real: the Stripe simulator (test clocks, signed
 * webhooks), the mail sink, Postgres (the suite's schema), the Temporal dev server with a worker on
 * its own task queue running the real workflows and activities, the API over real HTTP with the
 * webhook relay. Policy durations use the `demo` profile (seconds).
 */
export interface Stack {
  config: Config;
  api: RunningApp;
  sim: StripeSimulator;
  simUrl: string;
  /** The official SDK pointed at the simulator, as a test or an operator would use it. */
  stripe: Stripe;
  mail: MailSink;
  t: TestDb;
  temporal: TestWorkflowEnvironment;
  relay: WebhookRelay;
  dispatcher: EmailDispatcher;
  close(): Promise<void>;
}

export async function startStack(opts: { env?: Record<string, string> } = {}): Promise<Stack> {
  const t = await createTestDb();
  const sim = createStripeSimulator({ webhookSecret: WEBHOOK_SECRET, webhooks: { retryBaseMs: 200, maxAttempts: 8 } });
  const { url: simUrl } = await sim.listen(0);
  const mail = await createMailSink();
  const temporal = await connectDevServer();
  const taskQueue = uniqueTaskQueue('e2e');
  const env = {
    NODE_ENV: 'test',
    STRIPE_API_URL: simUrl,
    STRIPE_TEST_CLOCKS: '1',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMTP_URL: mail.smtpUrl,
    TEMPORAL_TASK_QUEUE: taskQueue,
    BILLING_POLICY_PROFILE: 'demo',
    USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN,
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const stripe = createStripeClient(config.stripe);
  const notifier = createOutboxNotifier({ db: t.db, resolveRecipient: billingEmailResolver(t.db), publicUrl: 'http://billing.test' });
  const transport = createSmtpTransport(config.email.smtpUrl);
  const dispatcher = createEmailDispatcher({ db: t.db, transport, from: config.email.from, pollIntervalMs: 200 });

  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: createActivities({ stripe, db: t.db, notifier, testClocks: true }),
  });
  const running = worker.run();
  const relay = createWebhookRelay({ db: t.db, temporal: temporal.client, logger, taskQueue, pollIntervalMs: 200, backoff: { baseMs: 200, maxMs: 2_000 } });
  const api = await startTestApp(buildTestAppDeps({ db: t.db, env, temporal: temporal.client, overrides: { webhookRelay: relay, notifier } }));
  // Registered as src/server.ts registers it: only the event types the service reads.
  await ensureWebhookEndpoint(stripe, `${api.url}/api/v1/billing/webhooks/stripe`);
  // As the worker does (src/worker.ts): new overage blocks reach Stripe's meters each round.
  const overageReporter = createPollingLoop({ pollIntervalMs: 300, round: async () => (await reportDueOverage({ db: t.db, stripe, onError: (org, err) => logger.warn({ err, org }, "overage report failed") }), { moreDue: false }), onError: (err) => logger.warn({ err }, "overage round failed") });
  relay.start();
  dispatcher.start();
  overageReporter.start();

  return {
    config, api, sim, simUrl, stripe, mail, t, temporal, relay, dispatcher,
    async close() {
      await relay.stop();
      await dispatcher.stop();
      await overageReporter.stop();
      transport.close();
      await api.close();
      worker.shutdown();
      await running;
      await sim.close();
      await mail.close();
      await temporal.teardown();
      await t.destroy();
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or fails naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A tiny JSON client for the API under test, authenticated as one user. */
export function apiClient(stack: { api: { url: string } }, token: string) {
  return async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T & { error?: { code: string; message: string; details?: { reason?: string } } } }> {
    const res = await fetch(`${stack.api.url}/api/v1/billing${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T & { error?: { code: string; message: string } } };
  };
}

/** What the clock helpers need: the read model's customers and the SDK (the in-process or the fault stack). */
type ClockStack = { t: Pick<TestDb, 'db'>; stripe: Stripe };

/** Moves an organization's Stripe test clock to `toMs` and waits until Stripe (the simulator) has caught up. */
export async function advanceClock(stack: ClockStack, organizationId: string, toMs: number): Promise<void> {
  const row = await stack.t.db.selectFrom('billing_customers').select('stripe_test_clock_id').where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
  const clockId = row.stripe_test_clock_id;
  if (!clockId) throw new Error(`${organizationId} has no test clock`);
  await stack.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: Math.floor(toMs / 1000) });
  await eventually(`test clock ${clockId} ready`, async () => ((await stack.stripe.testHelpers.testClocks.retrieve(clockId)).status === 'ready' ? true : undefined));
}

/** The frozen time of an organization's test clock, epoch ms. */
export async function clockNow(stack: ClockStack, organizationId: string): Promise<number> {
  const row = await stack.t.db.selectFrom('billing_customers').select('stripe_test_clock_id').where('organization_id', '=', organizationId).executeTakeFirstOrThrow();
  return (await stack.stripe.testHelpers.testClocks.retrieve(row.stripe_test_clock_id ?? '')).frozen_time * 1000;
}
