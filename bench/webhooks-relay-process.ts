/**
 * The webhook relay as src/worker.ts runs it (WEBHOOK_RELAY=worker, the default): the same
 * createConfiguredRelay, a Temporal client over the worker's NativeConnection, its own pool, its
 * own process. Started by bench/webhooks.ts beside the endpoint, so the inbox is drained during
 * the measurement as it would be in a deployment. Not the whole worker: that would also poll the
 * shared dev stack's task queue, email outbox and reconciliation schedule.
 */
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Registry } from 'prom-client';
import { loadConfigOrExit } from '../src/config';
import { createDb } from '../src/db/database';
import { createLogger } from '../src/logger';
import { createConfiguredRelay } from '../src/webhooks/relay-host';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'billing-worker');
  const db = createDb({ url: config.database.url, poolMax: config.database.poolMax, applicationName: 'bench-webhooks-relay' });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const relay = createConfiguredRelay({ config, db, temporal: client, logger, registry: new Registry() });
  relay.start();
  process.once('SIGTERM', () => {
    void relay
      .stop()
      .then(() => Promise.allSettled([db.destroy(), connection.close()]))
      .then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench relay failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
