import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type Stripe from 'stripe';
import { loadConfig } from '../../src/config';
import { createDb, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';
import { createStripeClient } from '../../src/stripe/client';
import { syncCatalog } from '../../src/stripe/catalog-sync';
import { freePort, ROOT, waitForHttp } from '../../tools/support/processes';
import { startPrivateTemporal } from '../../tools/support/private-temporal';
import { dropOrphanedRunDatabases, markRunDatabase, markRunDatabaseKept, RUN_DATABASE_PREFIX } from './orphans';
import { startNodeService, type Service } from './processes';

const WEBHOOK_SECRET = 'whsec_scale_bench_secret';
const JWT_SECRET = 'scale-bench-jwt-secret-0123456789abcdef';
const TASK_QUEUE = 'billing-scale';
/** The mail sink's message window, well above a 5,000-subscription storm's ~12,000 emails. */
export const MAIL_SINK_CAPACITY = 200_000;

/** Where a run's process logs (and the histories of its failed organizations) are kept. */
export const runOutputDir = (runId: string): string => path.join(ROOT, '.local/bench-scale', runId);

export interface ScaleStack {
  apiUrl: string;
  /** The Stripe simulator's base URL (its `/_sim/requests` counts the service's Stripe requests). */
  simUrl: string;
  /** The mail sink's HTTP API (`GET /messages`). */
  mailUrl: string;
  /** The worker's SDK metrics (Prometheus text): workflow task latencies, sticky cache. */
  workerSdkMetricsUrl: string;
  /** The run's Postgres database (its backends' CPU is read by name). */
  dbName: string;
  jwtSecret: string;
  db: Db;
  stripe: Stripe;
  temporal: Client;
  /** Every child process, for the sampler. */
  processes(): { name: string; pid: number }[];
  worker: Service;
  close(): Promise<void>;
}

export interface StackOptions {
  runId: string;
  keep: boolean;
  log: (line: string) => void;
  /** `PRAGMA=VALUE` statements for the dev server's SQLite file. */
  sqlitePragmas?: readonly string[];
  /** Write a V8 CPU profile of the simulator, the worker and the API into this directory when they exit. */
  cpuProfDir?: string;
  /** Extra environment of the worker and the API (validated by the service's own config), e.g. WORKER_MAX_CACHED_WORKFLOWS. */
  serviceEnv?: Record<string, string>;
}

/**
 * Everything private to this run, nothing shared with the machine's running services: a Temporal dev server
 * on its own ports and database file, a fresh Postgres database, the Stripe simulator, a mail sink, and the
 * real worker and API (src/worker.ts, src/server.ts) as child processes so their memory and CPU are their own.
 */
export async function startScaleStack(opts: StackOptions): Promise<ScaleStack> {
  const base = loadConfig();
  const dbName = `${RUN_DATABASE_PREFIX}${opts.runId}`;
  const dbUrl = base.database.url.replace(/\/[^/?]+(\?|$)/, `/${dbName}$1`);
  const admin = createDb({ url: base.database.url, poolMax: 1 });
  await dropOrphanedRunDatabases(admin, (name) => dropDatabase(admin, name, opts.log), opts.log);
  await sql`create database ${sql.id(dbName)}`.execute(admin);
  await markRunDatabase(admin, dbName);
  const db = createDb({ url: dbUrl, poolMax: 4 });
  await migrateToLatest(db);

  const temporalServer = await startPrivateTemporal({ sqlitePragmas: opts.sqlitePragmas });
  // Chosen once the dev server listens: it binds ports of its own as it starts, and a port chosen before could be
  // taken by then (a worker once exited at start with EADDRINUSE).
  const [simPort, apiPort, smtpPort, mailHttpPort, metricsPort, sdkMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // Node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line.
  const profiled = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.cpuProfDir)}`] : [];
  const services: Service[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const s of [...services].reverse()) await s.stop();
    await temporalServer.destroy();
    // The last output of each process, for the post-mortem of a slow or failed run.
    const logDir = runOutputDir(opts.runId);
    mkdirSync(logDir, { recursive: true });
    for (const s of services) writeFileSync(path.join(logDir, `${s.name}.log`), s.output());
    opts.log(`process output in ${logDir}`);
  };
  try {
    opts.log(`private Temporal dev server on ${temporalServer.address}`);
    const sim = startNodeService(
      'stripe-sim',
      'tools/stripe-sim/main.ts',
      {},
      // A storm's events queue in the simulator instead of all posting at once: its retries last 31 s, not
      // Stripe's three days (tools/stripe-sim/README.md).
      ['--port', String(simPort), '--webhook-secret', WEBHOOK_SECRET, '--webhook-max-in-flight', '64'],
      profiled,
    );
    services.push(sim);
    // Every email of the run stays readable: the storm compares each one the outbox sent with what arrived.
    const mail = startNodeService('mail-sink', 'tools/mail-sink/main.ts', {}, [
      '--smtp-port',
      String(smtpPort),
      '--http-port',
      String(mailHttpPort),
      '--capacity',
      String(MAIL_SINK_CAPACITY),
    ]);
    services.push(mail);
    await Promise.all([sim.waitForOutput(/listening/), mail.waitForOutput(/SMTP/)]);

    const env: Record<string, string> = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: dbUrl,
      TEMPORAL_ADDRESS: temporalServer.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      STRIPE_API_URL: `http://127.0.0.1:${simPort}`,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_TEST_CLOCKS: '1',
      BILLING_POLICY_PROFILE: 'demo',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      JWT_SECRET,
      PORT: String(apiPort),
      WORKER_METRICS_PORT: String(metricsPort),
      WORKER_SDK_METRICS_PORT: String(sdkMetricsPort),
      ...opts.serviceEnv,
    };
    const config = loadConfig(env);
    const stripe = createStripeClient(config.stripe);
    await syncCatalog(stripe);
    const worker = startNodeService('worker', 'src/worker.ts', env, [], profiled);
    services.push(worker);
    // Without a worker every step would wait out --step-timeout: say at once that it is gone, and why.
    worker.child.once('exit', (code, signal) => {
      if (!stopping)
        opts.log(
          `the worker exited during the run (code ${code}, signal ${signal}):\n${worker.output().slice(-3_000)}`,
        );
    });
    const api = startNodeService('api', 'src/server.ts', env, [], profiled);
    services.push(api);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await Promise.all([
      waitForHttp(`${apiUrl}/readyz`, 120_000),
      waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, 180_000),
    ]);
    // The API registers its webhook endpoint with the simulator right after it listens; no event may precede it.
    for (let i = 0; (await stripe.webhookEndpoints.list({ limit: 1 })).data.length === 0; i += 1) {
      if (i > 100) throw new Error(`the API did not register its webhook endpoint:\n${api.output().slice(-2_000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const temporal = new Client({ connection, namespace: config.temporal.namespace });

    return {
      apiUrl,
      simUrl: `http://127.0.0.1:${simPort}`,
      mailUrl: `http://127.0.0.1:${mailHttpPort}`,
      workerSdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
      dbName,
      jwtSecret: JWT_SECRET,
      db,
      stripe,
      temporal,
      worker,
      processes: () => [
        ...services.map((s) => ({ name: s.name, pid: s.pid })),
        ...(temporalServer.pid() ? [{ name: 'temporal', pid: temporalServer.pid() ?? 0 }] : []),
      ],
      async close() {
        await connection.close();
        await stopAll();
        await db.destroy();
        if (!opts.keep) await dropDatabase(admin, dbName, opts.log);
        else {
          await markRunDatabaseKept(admin, dbName);
          opts.log(`kept: database ${dbName}`);
        }
        await admin.destroy();
      },
    };
  } catch (err) {
    await stopAll();
    await db.destroy();
    if (!opts.keep) await dropDatabase(admin, dbName, opts.log);
    await admin.destroy();
    throw err;
  }
}

/**
 * Drops the run's database once its figures are printed. `with (force)` may not end a backend of another role (an
 * autovacuum worker runs as the superuser, and the billing role cannot signal it): try again for a few seconds,
 * then say what is left instead of failing a run whose figures are complete.
 */
async function dropDatabase(admin: Db, dbName: string, log: (line: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(admin);
      return;
    } catch (err) {
      if (attempt >= 5) {
        log(`database ${dbName} not dropped (${err instanceof Error ? err.message : String(err)}); drop it by hand`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
