import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerInterceptors } from '@temporalio/worker';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { Counter, Registry } from 'prom-client';
import { createActivities } from '../activities';
import type { BackgroundService } from '../background/service';
import type { Config } from '../config';
import { createDb, type Db } from '../db/database';
import { createInvoiceMailer, stripeLineSummary } from '../invoice-delivery';
import { createLogger } from '../logger';
import {
  billingEmailResolver,
  createEmailDispatcher,
  createOutboxNotifier,
  createSmtpTransport,
} from '../notifications';
import { createReconciliationActivities } from '../reconciliation/activities';
import { ensureReconciliationSchedule } from '../reconciliation/schedule';
import { tracingClientInterceptors, tracingWorkerOptions } from '../telemetry/temporal';
import { disabledTracing, type Tracing } from '../telemetry/tracing';
import { checkTemporal } from '../temporal-connection';
import { createStripeClient } from '../stripe/client';
import { configuredSubscriptionClient } from '../subscriptions/client';
import { loadWorkflowBundle } from './workflow-bundle';
import { selected, startAll, stopAll, type Runtime } from './runtime';
import { runChecks, workerEndpoint } from './worker-endpoint';
import {
  configuredRelay,
  overageReporter,
  retention,
  temporalWorker,
  usageMaintenance,
  type RelayTuning,
} from './services';

/** The worker's services in start order; stopped in reverse, so the Temporal worker (last) stops first and in-flight activities finish while the rest still runs. */
export const WORKER_SERVICES = [
  'metrics-endpoint',
  'email-dispatcher',
  'invoice-mailer',
  'webhook-relay',
  'usage-maintenance',
  'overage-reporter',
  'retention',
  'temporal-worker',
] as const;
export type WorkerServiceName = (typeof WORKER_SERVICES)[number];

export interface WorkerRuntimeOverrides {
  /** A database the caller owns (a test's schema): used as is and left open at stop. */
  db?: Db;
  /** A Temporal connection the caller owns (a test environment's): used as is and left open at stop. */
  connection?: NativeConnection;
  logger?: Logger;
  /** Only these services (default: all; the relay only with WEBHOOK_RELAY=worker). */
  services?: readonly WorkerServiceName[];
  /** Bundle the workflows in this process from this path (tests: ts-jest cannot spawn the bundler child). */
  workflowsPath?: string;
  /** The build id stamped on workflow tasks instead of the bundle's (`workflowBuildId`): a test's stand-in for a deploy. */
  buildId?: string;
  /** Create or update the daily reconciliation Schedule (default: when the Temporal worker runs). A test on the shared server must not move it to its own task queue. */
  reconciliationSchedule?: boolean;
  /** Tracing this process started (src/worker.ts); default: off (workflow spans go nowhere). */
  tracing?: Tracing;
  /** Core's Prometheus exporter this process installed (src/worker.ts), merged into /metrics. */
  sdkMetricsUrl?: string;
  /** Shorter poll intervals than production's, for tests. */
  intervalsMs?: Partial<Record<'email-dispatcher' | 'overage-reporter', number>>;
  relay?: RelayTuning;
}

export interface WorkerRuntime extends Runtime {
  readonly logger: Logger;
}

/**
 * Composition of the worker: the subscription and reconciliation workflows with their activities, and
 * the background services beside them (email outbox, invoice emails, webhook relay by default, usage
 * upkeep, overage reporting, retention of old rows, the metrics endpoint). Everything comes from `config`; `overrides` let a
 * test or a benchmark hand in its own database or connection, or run only some services.
 */
export async function createWorkerRuntime(
  config: Config,
  overrides: WorkerRuntimeOverrides = {},
): Promise<WorkerRuntime> {
  const wanted = selected(WORKER_SERVICES, overrides.services);
  if (config.webhookRelay.placement !== 'worker') wanted.delete('webhook-relay');
  const logger = overrides.logger ?? createLogger(config, 'billing-worker');
  const db =
    overrides.db ??
    createDb({
      url: config.database.url,
      poolMax: config.database.poolMax,
      applicationName: 'billing-worker',
      statementTimeoutMs: config.database.workerStatementTimeoutMs,
    });
  const stripe = createStripeClient(config.stripe);
  const connection = overrides.connection ?? (await NativeConnection.connect({ ...config.temporal.connection }));
  const temporal = new Client({
    connection,
    namespace: config.temporal.namespace,
    interceptors: tracingClientInterceptors(),
  });
  const tracingEnabled = overrides.tracing?.enabled ?? false;
  // The sandbox's tracing flag is prepended to a bundle; a worker bundling from a path (tests) has no place for it.
  if (overrides.workflowsPath && tracingEnabled)
    throw new Error('workflow tracing needs the workflow bundle: drop the workflowsPath override to trace');
  const tracing = tracingWorkerOptions(overrides.tracing ?? disabledTracing('billing-worker'));
  const subscriptions = configuredSubscriptionClient(temporal, config);

  const registry = new Registry();
  const emails = new Counter({
    name: 'billing_email_deliveries_total',
    help: 'Customer emails by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const onEmail = (kind: string, outcome: string) => emails.inc({ kind, outcome });
  const notifier = createOutboxNotifier({
    db,
    resolveRecipient: billingEmailResolver(db),
    publicUrl: config.http.publicUrl,
    onResult: onEmail,
  });
  const transport = createSmtpTransport(config.email.smtpUrl, { maxConnections: config.email.sendConcurrency });

  let worker: Worker | undefined;
  let reportFailure: (err: unknown) => void = () => undefined;
  const failed = new Promise<unknown>((resolve) => (reportFailure = resolve));

  const build: Record<WorkerServiceName, () => Promise<BackgroundService>> = {
    'metrics-endpoint': async () =>
      workerEndpoint({
        registry,
        host: config.http.host,
        port: config.workerMetricsPort,
        sdkMetricsUrl: overrides.sdkMetricsUrl,
        logger,
        probes: {
          live: () => {
            const state = worker?.getState() ?? (wanted.has('temporal-worker') ? 'INITIALIZED' : 'NOT_RUN');
            return { ok: state === 'RUNNING' || state === 'NOT_RUN', worker: state };
          },
          ready: () =>
            runChecks({
              postgres: () => sql`select 1`.execute(db),
              temporal: () => checkTemporal(connection, config.temporal.namespace),
            }),
        },
      }),
    'email-dispatcher': async () =>
      createEmailDispatcher({
        db,
        transport,
        from: config.email.from,
        concurrency: config.email.sendConcurrency,
        logger: logger.child({ component: 'email' }),
        onResult: onEmail,
        ...(overrides.intervalsMs?.['email-dispatcher'] !== undefined && {
          pollIntervalMs: overrides.intervalsMs['email-dispatcher'],
        }),
      }),
    // Every finalized invoice mirrored into Postgres gets its email (and a receipt once paid) through the same outbox.
    'invoice-mailer': async () =>
      createInvoiceMailer({
        db,
        notifier,
        lineSummary: stripeLineSummary(stripe),
        logger: logger.child({ component: 'invoice-mailer' }),
      }),
    // Stored Stripe events → workflow signals, off the webhook endpoint's event loop.
    'webhook-relay': async () => configuredRelay({ config, db, subscriptions, logger, registry }, overrides.relay),
    'usage-maintenance': async () =>
      usageMaintenance({ db, notifier, logger, rawRetentionDays: config.usage.rawRetentionDays }),
    'overage-reporter': async () =>
      overageReporter({
        db,
        stripe,
        logger,
        intervalMs: overrides.intervalsMs?.['overage-reporter'] ?? config.usage.overageReportIntervalMs,
      }),
    retention: async () => retention({ db, logger, windows: config.retention }),
    'temporal-worker': async () => {
      const bundle = overrides.workflowsPath
        ? undefined
        : await loadWorkflowBundle(config.temporal.workflowBundlePath, {
            stackTraces: config.temporal.workflowStackTraces,
            tracing: tracingEnabled,
          });
      const buildId = overrides.buildId ?? bundle?.buildId;
      worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        ...(bundle ? { workflowBundle: { code: bundle.code } } : { workflowsPath: overrides.workflowsPath }),
        ...(buildId !== undefined && { buildId }),
        ...(config.temporal.maxCachedWorkflows !== undefined && {
          maxCachedWorkflows: config.temporal.maxCachedWorkflows,
        }),
        ...(config.temporal.maxConcurrentActivities !== undefined && {
          maxConcurrentActivityTaskExecutions: config.temporal.maxConcurrentActivities,
        }),
        ...(config.temporal.maxConcurrentWorkflowTasks !== undefined && {
          maxConcurrentWorkflowTaskExecutions: config.temporal.maxConcurrentWorkflowTasks,
        }),
        ...(config.temporal.stickyQueueTimeoutMs !== undefined && {
          stickyQueueScheduleToStartTimeout: config.temporal.stickyQueueTimeoutMs,
        }),
        // A bundle carries the workflow interceptor modules already (bundle-workflows); naming them again only
        // makes the SDK warn at every start that it ignores them.
        interceptors: overrides.workflowsPath ? tracing.interceptors : withoutWorkflowModules(tracing.interceptors),
        sinks: tracing.sinks,
        activities: {
          ...createActivities({
            stripe,
            db,
            notifier,
            testClocks: config.stripe.testClocks,
            stripeTax: config.stripe.tax,
            registry,
          }),
          ...createReconciliationActivities({ db, stripe, subscriptions, logger }),
        },
      });
      // Reconciliation stays a Temporal Schedule, not a periodic service: once a day for the whole deployment
      // however many workers run, durable across restarts, skipped while a run still pages, and visible and
      // triggerable in the Temporal UI. The in-process services are cheap rounds that any number of processes
      // may run at once (leased claims, idempotent writes).
      if (overrides.reconciliationSchedule ?? true)
        await ensureReconciliationSchedule(temporal, { taskQueue: config.temporal.taskQueue });
      return temporalWorker(worker, reportFailure);
    },
  };
  const services: BackgroundService[] = [];
  for (const name of wanted) services.push(await build[name]());

  return {
    logger,
    services,
    failed,
    async start() {
      startAll(services);
      logger.info(
        {
          taskQueue: config.temporal.taskQueue,
          temporal: config.temporal.summary,
          services: services.map((s) => s.name),
        },
        'billing worker running',
      );
    },
    async stop() {
      await stopAll(services, logger);
      transport.close();
      await Promise.allSettled([
        overrides.db ? undefined : db.destroy(),
        overrides.connection ? undefined : connection.close(),
      ]);
    },
  };
}

function withoutWorkflowModules(interceptors: WorkerInterceptors): WorkerInterceptors {
  const { workflowModules: _bundled, ...rest } = interceptors;
  return rest;
}
