import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createApp, STRIPE_WEBHOOK_PATH } from '../api/app';
import { registerBillingHealthGauges } from '../api/billing-health-gauges';
import type { AppDeps } from '../api/context';
import { createHttpServer, listen } from '../api/http-server';
import { createMetrics } from '../api/metrics';
import { createTokenVerifier } from '../api/middleware/auth';
import { createPreviewLimiter, createRateLimiter } from '../api/middleware/rate-limit';
import { registerReadModelGauges } from '../api/read-model-gauges';
import type { BackgroundService } from '../background/service';
import type { Config } from '../config';
import { createDb, poolOf, type Db } from '../db/database';
import { createLogger } from '../logger';
import { billingEmailResolver, createOutboxNotifier } from '../notifications';
import { createStripeClient } from '../stripe/client';
import { configuredSubscriptionClient } from '../subscriptions/client';
import { checkTemporal, createTemporalClient } from '../temporal-connection';
import { ensureWebhookEndpoint } from '../webhooks/register-endpoint';
import type { WebhookRelay } from '../webhooks/relay';
import { startAll, stopAll, type Runtime } from './runtime';
import { configuredRelay, type RelayTuning } from './services';

export interface ApiRuntimeOverrides {
  /** A database the caller owns (a test's schema): used as is and left open at stop. */
  db?: Db;
  /** A Temporal client the caller owns: used as is and left open at stop. */
  temporal?: Client;
  logger?: Logger;
  relay?: RelayTuning;
}

export interface ApiRuntime extends Runtime {
  readonly deps: AppDeps;
  /** With WEBHOOK_RELAY=api: the relay this process runs. */
  readonly webhookRelay: WebhookRelay | undefined;
  readonly server: Server;
  /** The bound address as a URL, once started. */
  url(): string;
}

/**
 * Composition of the HTTP API: every dependency built once and handed to createApp, the HTTP server, and
 * the webhook relay when `WEBHOOK_RELAY=api` puts it here (nudged by each stored event; any number of
 * processes may run it, claims are leased per event). On the simulator, start registers the webhook URL.
 */
export function createApiRuntime(config: Config, overrides: ApiRuntimeOverrides = {}): ApiRuntime {
  const logger = overrides.logger ?? createLogger(config, 'billing-api');
  const db =
    overrides.db ??
    createDb({
      url: config.database.url,
      poolMax: config.database.poolMax,
      applicationName: 'billing-api',
      statementTimeoutMs: config.database.statementTimeoutMs,
    });
  // Lazy: the API starts and accepts webhooks even while Temporal is down, and connects on first use.
  const owned = overrides.temporal ? undefined : createTemporalClient(config.temporal);
  const temporal = overrides.temporal ?? (owned as NonNullable<typeof owned>).client;

  const metrics = createMetrics({ defaultMetrics: true });
  registerReadModelGauges(metrics.billingRegistry, db, { cacheMs: config.metricsCacheMs });
  registerBillingHealthGauges(metrics.billingRegistry, db);
  const webhookRelay =
    config.webhookRelay.placement === 'api'
      ? configuredRelay(
          {
            config,
            db,
            subscriptions: configuredSubscriptionClient(temporal, config),
            logger,
            registry: metrics.registry,
          },
          overrides.relay,
        )
      : undefined;
  const services: BackgroundService[] = webhookRelay ? [webhookRelay] : [];
  const deps: AppDeps = {
    config,
    db,
    temporal,
    logger,
    readiness: {
      postgres: async () => void (await sql`select 1`.execute(db)),
      temporal: () => checkTemporal(temporal.connection, config.temporal.namespace),
    },
    tokenVerifier: createTokenVerifier(config.auth),
    rateLimiter: createRateLimiter({ perMinute: config.http.rateLimitPerMinute, pool: poolOf(db) }),
    previewLimiter: createPreviewLimiter(config.http.previews),
    metrics,
    webhookRelay,
    // Usage threshold alerts are recorded with the usage and enqueued right after; the worker's dispatcher sends them.
    notifier: createOutboxNotifier({
      db,
      resolveRecipient: billingEmailResolver(db),
      publicUrl: config.http.publicUrl,
    }),
  };
  const server = createHttpServer(createApp(deps), deps);
  const { host, port } = config.http;
  let bound: AddressInfo | undefined;

  return {
    deps,
    server,
    services,
    webhookRelay,
    failed: new Promise<unknown>(() => undefined),
    url: () => {
      if (!bound) throw new Error('the API is not listening yet');
      return `http://${bound.address}:${bound.port}`;
    },
    async start() {
      startAll(services);
      try {
        bound = await listen(server, host, port);
      } catch (err) {
        logger.fatal({ err }, `cannot listen on ${host}:${port}`);
        throw err;
      }
      logger.info({ url: `http://${bound.address}:${bound.port}` }, 'billing API listening');
      if (config.stripe.usesSimulator) {
        // In containers the simulator reaches the API by its service name, not by the URL customers use.
        const url = config.stripe.simulatorWebhookUrl ?? `${config.http.publicUrl}${STRIPE_WEBHOOK_PATH}`;
        await ensureWebhookEndpoint(createStripeClient(config.stripe), url).then(
          (result) => logger.info({ url, result }, 'webhook endpoint registered with the Stripe simulator'),
          (err: unknown) =>
            logger.warn(
              { err, url },
              'could not register the webhook endpoint with the Stripe simulator (is it running?)',
            ),
        );
      }
    },
    async stop() {
      // In-flight requests finish first; then the relay's batch in flight; then the pools.
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopAll(services, logger);
      await Promise.allSettled([overrides.db ? undefined : db.destroy(), owned?.connection.close()]);
    },
  };
}
