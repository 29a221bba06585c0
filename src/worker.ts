import { loadConfigOrExit } from './config';
import { createWorkerRuntime } from './runtime/worker-runtime';
import { runUntilSignal } from './runtime/runtime';
import { installTemporalRuntime } from './runtime/temporal-runtime';

/** Composition root of the worker: the subscription workflows, their activities and the background services (src/runtime/worker-runtime.ts). */
async function main(): Promise<never> {
  const config = loadConfigOrExit();
  const sdkMetricsUrl = installTemporalRuntime(config.workerSdkMetricsPort);
  const runtime = await createWorkerRuntime(config, { sdkMetricsUrl });
  return runUntilSignal(runtime, {
    logger: runtime.logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    finishing: 'finishing in-flight activities',
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`billing worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
