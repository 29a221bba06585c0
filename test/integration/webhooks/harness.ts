import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { createWebhookRelay, type WebhookRelay } from '../../../src/webhooks/relay';
import { createSubscriptionClient } from '../../../src/subscriptions/client';
import { subscriptionWorkflowId, type StripeEventSignal } from '../../../src/workflows/messages';
import { uniqueTaskQueue } from '../../helpers/temporal';
import type { Db } from '../../../src/db/database';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A worker running the stand-in subscription workflow on a queue of its own. */
export async function startStandInWorker(
  env: TestWorkflowEnvironment,
  activities?: object,
): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  const taskQueue = uniqueTaskQueue('webhooks');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./stand-in-workflow'),
    ...(activities ? { activities } : {}),
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

export interface Received {
  input: unknown;
  signals: StripeEventSignal[];
  effective: string[];
  batches: number[];
}

export async function receivedBy(client: Client, organizationId: string): Promise<Received | null> {
  try {
    return await client.workflow.getHandle(subscriptionWorkflowId(organizationId)).query<Received>('received');
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Temporal client whose server is gone: a lazy connection to a port nothing listens on. */
export function unreachableTemporal(port: number): Client {
  return new Client({ connection: Connection.lazy({ address: `127.0.0.1:${port}` }) });
}

export function relayFor(
  db: Db,
  temporal: Client,
  taskQueue: string,
  overrides: Partial<Parameters<typeof createWebhookRelay>[0]> = {},
): WebhookRelay {
  return createWebhookRelay({
    db,
    subscriptions: createSubscriptionClient(temporal, { taskQueue, policyProfile: 'standard' }),
    logger: quietLogger,
    pollIntervalMs: 100,
    backoff: { baseMs: 100, maxMs: 400 },
    deliveryTimeoutMs: 3_000,
    maxAttempts: 50,
    ...overrides,
  });
}
