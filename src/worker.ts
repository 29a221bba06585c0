import { createServer } from 'node:http';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { Counter, Registry } from 'prom-client';
import { createActivities } from './activities';
import { loadConfigOrExit } from './config';
import { createDb } from './db/database';
import { createInvoiceMailer, stripeLineSummary } from './invoice-delivery';
import { createLogger } from './logger';
import { billingEmailResolver, createEmailDispatcher, createOutboxNotifier, createSmtpTransport } from './notifications';
import { createPollingLoop } from './notifications/polling-loop';
import { createReconciliationActivities } from './reconciliation/activities';
import { ensureReconciliationSchedule } from './reconciliation/schedule';
import { createStripeClient } from './stripe/client';
import { reportDueOverage, runUsageMaintenance } from './usage';
import { createConfiguredRelay } from './webhooks/relay-host';
import { loadWorkflowBundle } from './worker-bundle';

/** Composition root of the worker: the subscription workflows, their activities, the email dispatcher and (by default) the webhook relay. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'billing-worker');
  const db = createDb({ url: config.database.url, poolMax: config.database.poolMax, applicationName: 'billing-worker' });
  const stripe = createStripeClient(config.stripe);

  const registry = new Registry();
  const emails = new Counter({ name: 'billing_email_deliveries_total', help: 'Customer emails by kind and outcome', labelNames: ['kind', 'outcome'] as const, registers: [registry] });
  const onEmail = (kind: string, outcome: string) => emails.inc({ kind, outcome });

  const notifier = createOutboxNotifier({ db, resolveRecipient: billingEmailResolver(db), publicUrl: config.http.publicUrl, onResult: onEmail });
  const transport = createSmtpTransport(config.email.smtpUrl);
  const dispatcher = createEmailDispatcher({ db, transport, from: config.email.from, logger: logger.child({ component: 'email' }), onResult: onEmail });
  // Every finalized invoice mirrored into Postgres gets its email (and a receipt once paid) through the same outbox.
  const invoiceMailer = createInvoiceMailer({ db, notifier, lineSummary: stripeLineSummary(stripe), logger: logger.child({ component: 'invoice-mailer' }) });

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: await loadWorkflowBundle(config.temporal.workflowBundlePath),
    ...(config.temporal.maxCachedWorkflows !== undefined && { maxCachedWorkflows: config.temporal.maxCachedWorkflows }),
    activities: {
      ...createActivities({ stripe, db, notifier, testClocks: config.stripe.testClocks, registry }),
      ...createReconciliationActivities({ db, stripe, temporal: client, taskQueue: config.temporal.taskQueue, logger }),
    },
  });
  await ensureReconciliationSchedule(client, { taskQueue: config.temporal.taskQueue });
  dispatcher.start();
  invoiceMailer.start();
  // Stored Stripe events → workflow signals (WEBHOOK_RELAY=worker, the default): off the webhook endpoint's event loop.
  const webhookRelay = config.webhookRelay.placement === 'worker' ? createConfiguredRelay({ config, db, temporal: client, logger, registry }) : undefined;
  webhookRelay?.start();

  // Usage upkeep: next month's raw-event partitions, retention, threshold alerts whose email failed to enqueue.
  const usageMaintenance = () =>
    runUsageMaintenance({ db, notifier, logger }, { now: Date.now(), rawRetentionDays: config.usage.rawRetentionDays }).then(
      (result) => logger.info(result, 'usage maintenance done'),
      (err: unknown) => logger.error({ err }, 'usage maintenance failed; retried next hour'),
    );
  void usageMaintenance();
  const maintenanceTimer = setInterval(() => void usageMaintenance(), 3_600_000);
  // Overage on paid plans reaches Stripe's billing meters as it accrues, well before the period's invoice.
  const overageLog = logger.child({ component: 'overage' });
  const overageReporter = createPollingLoop({
    pollIntervalMs: config.usage.overageReportIntervalMs,
    round: async () => {
      const result = await reportDueOverage({ db, stripe, onError: (organizationId, err) => overageLog.warn({ err, organizationId }, 'overage report failed; retried next round') });
      if (result.eventsSent > 0 || result.failed > 0) overageLog.info(result, 'overage reported');
      return { moreDue: false };
    },
    onError: (err) => overageLog.error({ err }, 'overage round failed; retried next round'),
  });
  overageReporter.start();

  const metricsServer = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then((body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body));
  }).listen(config.workerMetricsPort, config.http.host);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight activities');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    worker.shutdown();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'billing worker running');
  await worker.run();
  clearInterval(maintenanceTimer);
  await overageReporter.stop();
  await webhookRelay?.stop();
  await invoiceMailer.stop();
  await dispatcher.stop();
  transport.close();
  metricsServer.close();
  await Promise.allSettled([db.destroy(), connection.close()]);
  logger.info('stopped');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`billing worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
