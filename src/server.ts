import { sql } from 'kysely';
import { createApp } from './api/app';
import type { AppDeps } from './api/context';
import { createHttpServer, listen } from './api/http-server';
import { createMetrics } from './api/metrics';
import { registerBillingHealthGauges } from './api/billing-health-gauges';
import { registerReadModelGauges } from './api/read-model-gauges';
import { createTokenVerifier } from './api/middleware/auth';
import { createRateLimiter } from './api/middleware/rate-limit';
import { loadConfigOrExit } from './config';
import { createDb } from './db/database';
import { createLogger } from './logger';
import { billingEmailResolver, createOutboxNotifier } from './notifications';
import { checkTemporal, createTemporalClient } from './temporal-connection';
import { createStripeClient } from './stripe/client';
import { ensureWebhookEndpoint } from './webhooks/register-endpoint';
import { createConfiguredRelay } from './webhooks/relay-host';

/** Composition root of the HTTP API: builds every dependency once and hands them to createApp. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'billing-api');
  const db = createDb({ url: config.database.url, poolMax: config.database.poolMax, applicationName: 'billing-api' });
  const { client: temporal, connection } = createTemporalClient(config.temporal);

  const metrics = createMetrics({ defaultMetrics: true });
  registerReadModelGauges(metrics.registry, db);
  registerBillingHealthGauges(metrics.registry, db);
  // The relay runs in the worker by default, off the endpoint's event loop; WEBHOOK_RELAY=api puts
  // it here instead, nudged by each stored event. Any number of processes may run it: claims are leased per event.
  const webhookRelay = config.webhookRelay.placement === 'api' ? createConfiguredRelay({ config, db, temporal, logger, registry: metrics.registry }) : undefined;
  const deps: AppDeps = {
    config,
    db,
    temporal,
    logger,
    readiness: {
      postgres: async () => void (await sql`select 1`.execute(db)),
      temporal: () => checkTemporal(connection, config.temporal.namespace),
    },
    tokenVerifier: createTokenVerifier(config.auth),
    rateLimiter: createRateLimiter({ perMinute: config.http.rateLimitPerMinute }),
    metrics,
    webhookRelay,
    // Usage threshold alerts are recorded with the usage and enqueued right after; the worker's dispatcher sends them.
    notifier: createOutboxNotifier({ db, resolveRecipient: billingEmailResolver(db), publicUrl: config.http.publicUrl }),
  };
  webhookRelay?.start();

  const server = createHttpServer(createApp(deps), deps);
  listen(server, config.http.host, config.http.port).then(
    (info) => logger.info({ url: `http://${info.address}:${info.port}` }, 'billing API listening'),
    (err: unknown) => {
      logger.fatal({ err }, `cannot listen on ${config.http.host}:${config.http.port}`);
      process.exit(1);
    },
  );
  if (config.stripe.usesSimulator) {
    const url = `${config.http.publicUrl}/api/v1/billing/webhooks/stripe`;
    ensureWebhookEndpoint(createStripeClient(config.stripe), url).then(
      (result) => logger.info({ url, result }, 'webhook endpoint registered with the Stripe simulator'),
      (err: unknown) => logger.warn({ err, url }, 'could not register the webhook endpoint with the Stripe simulator (is it running?)'),
    );
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close(async () => {
      await webhookRelay?.stop();
      await Promise.allSettled([db.destroy(), connection.close()]);
      clearTimeout(force);
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`billing API failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
