import type { Worker } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type Stripe from 'stripe';
import { createPeriodic, type PeriodicService } from '../background/periodic';
import type { BackgroundService } from '../background/service';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Notifier } from '../notifications/types';
import type { SubscriptionClient } from '../subscriptions/client';
import { pruneIdempotencyKeys } from '../api/idempotency-store';
import { pruneSentMessages } from '../notifications/store';
import { reportDueOverage, runUsageMaintenance } from '../usage';
import { createRelayMetrics } from '../webhooks/metrics';
import { createWebhookRelay, type WebhookRelay, type WebhookRelayOptions } from '../webhooks/relay';
import { pruneSettledEvents } from '../webhooks/store';

/** What a test may tune on the relay beyond WEBHOOK_RELAY_POLL_MS (a faster retry backoff). */
export type RelayTuning = Partial<Pick<WebhookRelayOptions, 'backoff' | 'deliveryTimeoutMs'>>;

/**
 * The webhook relay as a runtime builds it, in the process `WEBHOOK_RELAY` names (the worker by default,
 * the API with `WEBHOOK_RELAY=api`). Only the placement differs: in the worker it polls the inbox every
 * `WEBHOOK_RELAY_POLL_MS`; in the API each stored event also nudges it.
 */
export function configuredRelay(
  deps: { config: Config; db: Db; subscriptions: SubscriptionClient; logger: Logger; registry: Registry },
  tuning: RelayTuning = {},
): WebhookRelay {
  return createWebhookRelay({
    db: deps.db,
    subscriptions: deps.subscriptions,
    logger: deps.logger.child({ component: 'webhook-relay' }),
    metrics: createRelayMetrics(deps.registry),
    pollIntervalMs: deps.config.webhookRelay.pollIntervalMs,
    settleMs: deps.config.webhookRelay.settleMs,
    maxAttempts: deps.config.webhookRelay.maxAttempts,
    ...tuning,
  });
}

const HOUR_MS = 3_600_000;

/** Usage upkeep, hourly from start: next month's raw-event partitions, retention, threshold alerts whose email failed to enqueue. */
export function usageMaintenance(deps: {
  db: Db;
  notifier: Notifier;
  logger: Logger;
  rawRetentionDays: number;
}): PeriodicService {
  return createPeriodic({
    name: 'usage-maintenance',
    intervalMs: HOUR_MS,
    round: async () => {
      const result = await runUsageMaintenance(deps, { now: Date.now(), rawRetentionDays: deps.rawRetentionDays });
      deps.logger.info(result, 'usage maintenance done');
    },
    onError: (err) => deps.logger.error({ err }, 'usage maintenance failed; retried next hour'),
  });
}

/** Rows per delete statement: short statements, so retention never holds locks long; a full batch runs the next at once. */
const RETENTION_BATCH = 5_000;

/** One retention pass over the three tables (a batch each); how many rows each lost. */
export async function pruneExpiredRows(
  db: Db,
  windows: Config['retention'],
  limit = RETENTION_BATCH,
): Promise<{ idempotencyKeys: number; webhookEvents: number; sentEmails: number }> {
  return {
    idempotencyKeys: await pruneIdempotencyKeys(db, windows.idempotencyKeysDays, limit),
    webhookEvents: await pruneSettledEvents(db, windows.webhookInboxDays, limit),
    sentEmails: await pruneSentMessages(db, windows.emailOutboxDays, limit),
  };
}

/**
 * Retention, hourly from start (any number of workers may run it: deletes of old rows): idempotency keys,
 * settled webhook inbox events and sent emails older than their windows (RETENTION_* settings).
 */
export function retention(deps: { db: Db; logger: Logger; windows: Config['retention'] }): PeriodicService {
  const log = deps.logger.child({ component: 'retention' });
  return createPeriodic({
    name: 'retention',
    intervalMs: HOUR_MS,
    round: async () => {
      const pruned = await pruneExpiredRows(deps.db, deps.windows);
      if (Object.values(pruned).some((n) => n > 0)) log.info(pruned, 'retention pruned old rows');
      return { moreDue: Object.values(pruned).some((n) => n >= RETENTION_BATCH) };
    },
    onError: (err) => log.error({ err }, 'retention round failed; retried next hour'),
  });
}

/** Overage on paid plans reaches Stripe's billing meters as it accrues, well before the period's invoice. */
export function overageReporter(deps: { db: Db; stripe: Stripe; logger: Logger; intervalMs: number }): PeriodicService {
  const log = deps.logger.child({ component: 'overage' });
  return createPeriodic({
    name: 'overage-reporter',
    intervalMs: deps.intervalMs,
    round: async () => {
      const result = await reportDueOverage({
        db: deps.db,
        stripe: deps.stripe,
        onError: (organizationId, err) =>
          log.warn({ err, organizationId }, 'overage report failed; retried next round'),
      });
      if (result.eventsSent > 0 || result.failed > 0) log.info(result, 'overage reported');
    },
    onError: (err) => log.error({ err }, 'overage round failed; retried next round'),
  });
}

/** The Temporal worker as a service: stop lets in-flight activities finish; a worker that dies on its own reports to `onFailure`. */
export function temporalWorker(worker: Worker, onFailure: (err: unknown) => void): BackgroundService {
  let running: Promise<void> | undefined;
  return {
    name: 'temporal-worker',
    start() {
      running = worker.run().catch(onFailure);
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
