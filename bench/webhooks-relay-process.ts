/**
 * The webhook relay as src/worker.ts runs it (WEBHOOK_RELAY=worker, the default): the worker runtime with
 * only its relay service (a Temporal client over the worker's NativeConnection), its own pool, its own
 * process. Started by bench/webhooks.ts beside the endpoint, so the inbox is drained during the
 * measurement as it would be in a deployment. Not the whole worker: that would also poll the shared dev
 * stack's task queue, email outbox and reconciliation schedule.
 */
import { loadConfigOrExit } from '../src/config';
import { createDb } from '../src/db/database';
import { runUntilSignal } from '../src/runtime/runtime';
import { createWorkerRuntime } from '../src/runtime/worker-runtime';

async function main(): Promise<never> {
  const config = loadConfigOrExit();
  // Its own application name: bench/webhooks.ts tells the relay's Postgres time from the endpoint's by it.
  const db = createDb({
    url: config.database.url,
    poolMax: config.database.poolMax,
    applicationName: 'bench-webhooks-relay',
  });
  const runtime = await createWorkerRuntime(config, { db, services: ['webhook-relay'] });
  return runUntilSignal(runtime, {
    logger: runtime.logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    finishing: 'finishing the batch in flight',
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench relay failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
