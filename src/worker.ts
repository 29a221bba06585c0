import { loadConfigOrExit } from './config';
import { exitOnSignalWhileStarting, runUntilSignal } from './runtime/runtime';
import { startTracing } from './telemetry/tracing';

/** Composition root of the worker: the subscription workflows, their activities and the background services (src/runtime/worker-runtime.ts). */
async function main(): Promise<never> {
  exitOnSignalWhileStarting();
  const config = loadConfigOrExit();
  // Before the runtime's modules load: the HTTP and Postgres instrumentations patch them as they are required.
  const tracing = startTracing(config.tracing, 'billing-worker');
  const { installTemporalRuntime } = await import('./runtime/temporal-runtime');
  const { createWorkerRuntime } = await import('./runtime/worker-runtime');
  const sdkMetricsUrl = installTemporalRuntime(config.workerSdkMetricsPort);
  const runtime = await createWorkerRuntime(config, { sdkMetricsUrl, tracing });
  return runUntilSignal(runtime, {
    logger: runtime.logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    finishing: 'finishing in-flight activities',
    afterStop: () => tracing.shutdown(),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`billing worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
