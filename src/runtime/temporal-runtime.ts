import { Runtime } from '@temporalio/worker';

/**
 * The worker process's Temporal Core runtime, installed before its first connection: Core's metrics (task
 * slots, schedule-to-start latencies, sticky cache, polls) on a Prometheus exporter bound to loopback, which
 * the worker's /metrics serves with its own (src/runtime/worker-endpoint.ts). Returns the exporter's URL.
 */
export function installTemporalRuntime(sdkMetricsPort: number): string {
  const bindAddress = `127.0.0.1:${sdkMetricsPort}`;
  Runtime.install({
    telemetryOptions: { metrics: { prometheus: { bindAddress, useSecondsForDurations: true } } },
  });
  return `http://${bindAddress}/metrics`;
}
