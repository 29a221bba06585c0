import { loadConfigOrExit } from './config';
import { exitOnSignalWhileStarting, runUntilSignal } from './runtime/runtime';
import { startTracing } from './telemetry/tracing';

/** Composition root of the HTTP API (src/runtime/api-runtime.ts). */
async function main(): Promise<never> {
  exitOnSignalWhileStarting();
  const config = loadConfigOrExit();
  // Before the runtime's modules load: the HTTP and Postgres instrumentations patch them as they are required.
  const tracing = startTracing(config.tracing, 'billing-api');
  const { createApiRuntime } = await import('./runtime/api-runtime');
  const runtime = createApiRuntime(config);
  return runUntilSignal(runtime, {
    logger: runtime.deps.logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    finishing: 'finishing in-flight requests',
    afterStop: () => tracing.shutdown(),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`billing API failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
