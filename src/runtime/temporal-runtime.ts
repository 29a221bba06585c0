import { Runtime } from '@temporalio/worker';

/**
 * The worker process's Temporal Core runtime, installed before its first connection: Core's metrics (task
 * slots, schedule-to-start latencies, sticky cache, polls) on a Prometheus exporter bound to loopback, which
 * the worker's /metrics serves with its own (src/runtime/worker-endpoint.ts). Returns the exporter's URL.
 */
export function installTemporalRuntime(sdkMetricsPort: number): string {
  const bindAddress = `127.0.0.1:${sdkMetricsPort}`;
  Runtime.install({
    // The process's own handlers (src/runtime/runtime.ts) stop the worker within the shutdown budget; the SDK's
    // would also swallow a signal that arrives while the runtime is still being built.
    shutdownSignals: [],
    telemetryOptions: { metrics: { prometheus: { bindAddress, useSecondsForDurations: true } } },
  });
  return `http://${bindAddress}/metrics`;
}
