import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { createRelayMetrics } from './metrics';
import { createWebhookRelay, type WebhookRelay } from './relay';

/**
 * The webhook relay as a composition root builds it, for the process `WEBHOOK_RELAY` names
 * (src/worker.ts by default, src/server.ts with `WEBHOOK_RELAY=api`; bench/webhooks.ts runs the
 * worker's flavour in a process of its own). Only the placement differs: in the worker it polls
 * the inbox every `WEBHOOK_RELAY_POLL_MS`; in the API each stored event also nudges it.
 */
export function createConfiguredRelay(deps: { config: Config; db: Db; temporal: Client; logger: Logger; registry: Registry }): WebhookRelay {
  return createWebhookRelay({
    db: deps.db,
    temporal: deps.temporal,
    logger: deps.logger.child({ component: 'webhook-relay' }),
    taskQueue: deps.config.temporal.taskQueue,
    metrics: createRelayMetrics(deps.registry),
    pollIntervalMs: deps.config.webhookRelay.pollIntervalMs,
  });
}
