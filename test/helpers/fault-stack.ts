import { Client, Connection } from '@temporalio/client';
import Stripe from 'stripe';
import { createDb, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';
import { syncCatalog } from '../../src/stripe/catalog-sync';
import { createMailSink, type MailSink } from '../../tools/mail-sink';
import { createStripeSimulator, type StripeSimulator } from '../../tools/stripe-sim';
import type { ApiFault } from '../../tools/stripe-sim/control/faults';
import type { WebhookFault } from '../../tools/stripe-sim/webhooks/faults';
import { freePort, waitForHttp } from '../../tools/support/processes';
import { startPrivateTemporal, type PrivateTemporal } from '../../tools/support/private-temporal';
import { startPrivatePostgres, type PrivatePostgres } from './private-services';
import { startEntryPoint, type RunningEntryPoint } from './processes';
import { eventually } from './stack';
import { TEST_SERVICE_TOKEN } from './tokens';

const WEBHOOK_SECRET = 'whsec_fault_stack_secret';

/**
 * The product as it is deployed, every piece a separate thing that can fail on its own: a private Postgres
 * cluster and a private Temporal dev server (restartable without touching the shared ones), the worker and
 * the API as child processes of their real entry points (src/worker.ts, src/server.ts: SIGKILL-able), the
 * Stripe simulator and the mail sink in this process (their state and fault controls at hand).
 */
export interface FaultStack {
  pg: PrivatePostgres;
  temporal: PrivateTemporal;
  sim: StripeSimulator;
  simUrl: string;
  /** The official SDK pointed at the simulator. */
  stripe: Stripe;
  mail: MailSink;
  /** The test's own connection to the private database (same shape as the in-process stack's). */
  t: { db: Db };
  /** A client of the private Temporal server; it reconnects by itself after a restart. */
  client: Client;
  /** The first API process (`apis` lists them all). */
  api: { url: string };
  apis: { url: string }[];
  /** The environment every process shares (each worker and API gets its own ports on top). */
  env: Record<string, string>;
  /** The secret the API verifies deliveries with, for a scenario that signs an event itself. */
  webhookSecret: string;
  /** Ids of the events scenarios signed and posted themselves (the invariants expect them in the inbox). */
  injectedEvents: Set<string>;
  /** Each worker's own environment (its metrics ports). */
  workerEnv(index?: number): Record<string, string>;
  startWorker(index?: number): Promise<void>;
  /** SIGKILL: no graceful shutdown, in-flight activities die with the process. */
  killWorker(index?: number): Promise<void>;
  /** SIGTERM: the graceful shutdown a rolling restart sends; resolves with the exit code. */
  stopWorker(index?: number): Promise<number | null>;
  startApi(index?: number): Promise<void>;
  /** Queues simulator API faults (`/_sim/faults`). */
  apiFault(fault: Partial<ApiFault> & Pick<ApiFault, 'kind'>): Promise<void>;
  webhookFault(fault: Partial<WebhookFault> & Pick<WebhookFault, 'action'>): Promise<void>;
  /** Whether the worker and the API processes are still running (neither may crash on a fault). */
  running(): { worker: boolean; api: boolean };
  /** The children's output so far: printed when a test fails. */
  logs(): string;
  close(): Promise<void>;
}

const alive = (p: RunningEntryPoint | undefined) =>
  p !== undefined && p.child.exitCode === null && p.child.signalCode === null;

async function post(url: string, body: object): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
}

export interface FaultStackOptions {
  /** Worker and API processes (default one of each), all on the one Postgres and the one Temporal server. */
  workers?: number;
  apis?: number;
  /** Added to every process's environment (e.g. OTEL_* for tracing). */
  env?: Record<string, string>;
}

export async function startFaultStack(opts: FaultStackOptions = {}): Promise<FaultStack> {
  const [workerCount, apiCount] = [opts.workers ?? 1, opts.apis ?? 1];
  const [pg, temporal, mail] = await Promise.all([startPrivatePostgres(), startPrivateTemporal(), createMailSink()]);
  const sim = createStripeSimulator({ webhookSecret: WEBHOOK_SECRET, webhooks: { retryBaseMs: 250, maxAttempts: 10 } });
  const { url: simUrl, port: simPort } = await sim.listen(0);
  const stripe = new Stripe('sk_test_faults', {
    host: '127.0.0.1',
    port: simPort,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  const db = createDb({ url: pg.url, poolMax: 3 });
  await migrateToLatest(db);
  await syncCatalog(stripe);

  const apiPorts: number[] = [];
  for (let i = 0; i < apiCount; i++) apiPorts.push(await freePort());
  const workerPorts: { metrics: number; sdk: number }[] = [];
  for (let i = 0; i < workerCount; i++) workerPorts.push({ metrics: await freePort(), sdk: await freePort() });
  const [apiPort] = apiPorts as [number];
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    WORKER_METRICS_PORT: String(workerPorts[0]?.metrics),
    WORKER_SDK_METRICS_PORT: String(workerPorts[0]?.sdk),
    DATABASE_URL: pg.url,
    DATABASE_POOL_MAX: '5',
    TEMPORAL_ADDRESS: temporal.address,
    STRIPE_API_URL: simUrl,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_TEST_CLOCKS: '1',
    SMTP_URL: mail.smtpUrl,
    BILLING_POLICY_PROFILE: 'demo',
    USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN,
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...opts.env,
  };
  const workerEnv = (i = 0): Record<string, string> => ({
    ...env,
    WORKER_METRICS_PORT: String(workerPorts[i]?.metrics),
    WORKER_SDK_METRICS_PORT: String(workerPorts[i]?.sdk),
  });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const apis = apiPorts.map((port) => ({ url: `http://127.0.0.1:${port}` }));
  const api = apis[0] as { url: string };
  const workers: (RunningEntryPoint | undefined)[] = [];
  const servers: (RunningEntryPoint | undefined)[] = [];
  const output: string[] = [];

  const stack: FaultStack = {
    pg,
    temporal,
    sim,
    simUrl,
    stripe,
    mail,
    t: { db },
    client,
    api,
    apis,
    env,
    webhookSecret: WEBHOOK_SECRET,
    injectedEvents: new Set(),
    workerEnv,
    async startWorker(i = 0) {
      const previous = workers[i];
      if (previous) output.push(`--- worker ${i} ---\n${previous.output()}`);
      workers[i] = startEntryPoint('src/worker.ts', workerEnv(i));
      // The metrics endpoint opens once the worker is created (connected, workflows bundled).
      await waitForHttp(`http://127.0.0.1:${workerPorts[i]?.metrics}/metrics`, 90_000);
    },
    async killWorker(i = 0) {
      await workers[i]?.kill('SIGKILL');
    },
    async stopWorker(i = 0) {
      return (await workers[i]?.stop()) ?? null;
    },
    async startApi(i = 0) {
      const previous = servers[i];
      if (previous) output.push(`--- api ${i} ---\n${previous.output()}`);
      servers[i] = startEntryPoint('src/server.ts', { ...env, PORT: String(apiPorts[i]) });
      await waitForHttp(`${apis[i]?.url}/healthz`, 60_000);
    },
    apiFault: (fault) => post(`${simUrl}/_sim/faults`, fault),
    webhookFault: (fault) => post(`${simUrl}/_sim/webhook-faults`, fault),
    running: () => ({ worker: workers.every(alive), api: servers.every(alive) }),
    logs: () =>
      [
        ...output,
        ...workers.map((w, i) => `--- worker ${i} ---\n${w?.output() ?? ''}`),
        ...servers.map((a, i) => `--- api ${i} ---\n${a?.output() ?? ''}`),
      ].join('\n'),
    async close() {
      await Promise.allSettled([...workers, ...servers].map((p) => p?.stop()));
      await connection.close();
      await db.destroy();
      await sim.close();
      await mail.close();
      await Promise.allSettled([temporal.destroy(), pg.destroy()]);
    },
  };
  // One at a time: each worker bundles the workflows at start (a CPU burst), and the machine is small.
  for (let i = 0; i < workerCount; i++) await stack.startWorker(i);
  await Promise.all(apis.map((_, i) => stack.startApi(i)));
  // The API registers its webhook URL with the simulator at start (as `npm start` does locally).
  await eventually('the API webhook endpoint registered', async () =>
    Object.keys(sim.sim.state.webhookEndpoints).length > 0 ? true : undefined,
  );
  return stack;
}
