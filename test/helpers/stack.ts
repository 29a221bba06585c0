import Stripe from 'stripe';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config';
import { createApiRuntime } from '../../src/runtime/api-runtime';
import { createWorkerRuntime } from '../../src/runtime/worker-runtime';
import { createStripeClient } from '../../src/stripe/client';
import type { WebhookRelay } from '../../src/webhooks/relay';
import { createStripeSimulator, type StripeSimulator } from '../../tools/stripe-sim';
import { createMailSink, type MailSink } from '../../tools/mail-sink';
import { freePort } from '../../tools/support/processes';
import type { RunningApp } from './app';
import { createTestDb, type TestDb } from './db';
import { connectDevServer, uniqueTaskQueue } from './temporal';
import { TEST_SERVICE_TOKEN } from './tokens';

const WEBHOOK_SECRET = 'whsec_e2e_stack_secret';

/**
 * The whole product in one process, every piece real: the Stripe simulator (test clocks, signed
 * webhooks), the mail sink, Postgres (the suite's schema), and the worker and the API composed by
 * their own factories (createWorkerRuntime, createApiRuntime) against the Temporal dev server on a
 * task queue of the stack's own. The relay runs in the API (WEBHOOK_RELAY=api: each stored event
 * nudges it). Policy durations use the `demo` profile (seconds); polls and retries are shorter.
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
  /** Stops the worker and starts another on the same task queue, stamping `buildId` on its tasks: a deploy. */
  restartWorker(opts: { buildId: string }): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(opts: { env?: Record<string, string> } = {}): Promise<Stack> {
  const t = await createTestDb();
  const sim = createStripeSimulator({ webhookSecret: WEBHOOK_SECRET, webhooks: { retryBaseMs: 200, maxAttempts: 8 } });
  const { url: simUrl } = await sim.listen(0);
  const mail = await createMailSink();
  const temporal = await connectDevServer();
  const env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    STRIPE_API_URL: simUrl,
    STRIPE_TEST_CLOCKS: '1',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMTP_URL: mail.smtpUrl,
    TEMPORAL_TASK_QUEUE: uniqueTaskQueue('e2e'),
    BILLING_POLICY_PROFILE: 'demo',
    USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN,
    WEBHOOK_RELAY: 'api',
    WEBHOOK_RELAY_POLL_MS: '200',
    ...opts.env,
  };
  const config = loadConfig(env);
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const startWorker = (buildId?: string) =>
    createWorkerRuntime(config, {
      db: t.db,
      connection: temporal.nativeConnection,
      logger,
      workflowsPath: require.resolve('../../src/workflows'),
      buildId,
      // Not the invoice mailer (the invoice-delivery suite runs its own), not usage upkeep, not the shared
      // server's reconciliation Schedule, not the metrics port.
      services: ['email-dispatcher', 'overage-reporter', 'temporal-worker'],
      reconciliationSchedule: false,
      intervalsMs: { 'email-dispatcher': 200, 'overage-reporter': 300 },
    });
  let worker = await startWorker();
  const api = createApiRuntime(config, {
    db: t.db,
    temporal: temporal.client,
    logger,
    relay: { backoff: { baseMs: 200, maxMs: 2_000 } },
  });
  await worker.start();
  // Registers its webhook URL with the simulator, as src/server.ts does.
  await api.start();
  if (!api.webhookRelay) throw new Error('the stack runs the relay in the API (WEBHOOK_RELAY=api)');

  return {
    config,
    sim,
    simUrl,
    mail,
    t,
    temporal,
    api: { url: api.url(), deps: api.deps, close: () => api.stop() },
    stripe: createStripeClient(config.stripe),
    relay: api.webhookRelay,
    async restartWorker({ buildId }) {
      await worker.stop();
      worker = await startWorker(buildId);
      await worker.start();
    },
    async close() {
      await api.stop();
      await worker.stop();
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
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
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
  ): Promise<{
    status: number;
    body: T & { error?: { code: string; message: string; details?: { reason?: string } } };
  }> {
    const res = await fetch(`${stack.api.url}/api/v1/billing${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T & { error?: { code: string; message: string } } };
  };
}

/** What the clock helpers need: the read model's customers and the SDK (the in-process or the fault stack). */
type ClockStack = { t: Pick<TestDb, 'db'>; stripe: Stripe };

/** Moves an organization's Stripe test clock to `toMs` and waits until Stripe (the simulator) has caught up. */
export async function advanceClock(stack: ClockStack, organizationId: string, toMs: number): Promise<void> {
  const row = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_test_clock_id')
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  const clockId = row.stripe_test_clock_id;
  if (!clockId) throw new Error(`${organizationId} has no test clock`);
  await stack.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: Math.floor(toMs / 1000) });
  await eventually(`test clock ${clockId} ready`, async () =>
    (await stack.stripe.testHelpers.testClocks.retrieve(clockId)).status === 'ready' ? true : undefined,
  );
}

/** The organization's Stripe customer id, from the read model. */
export async function customerOf(stack: ClockStack, organizationId: string): Promise<string> {
  const row = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return row.stripe_customer_id;
}

/** The frozen time of an organization's test clock, epoch ms. */
export async function clockNow(stack: ClockStack, organizationId: string): Promise<number> {
  const row = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_test_clock_id')
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow();
  return (await stack.stripe.testHelpers.testClocks.retrieve(row.stripe_test_clock_id ?? '')).frozen_time * 1000;
}
