/**
 * The workflow interceptor module every bundle carries (src/cli/bundle-workflows.ts): OpenTelemetry's workflow
 * interceptors when the worker traces, none when it does not. It runs in the sandbox at the start of every run.
 *
 * Without tracing, OpenTelemetry's interceptors still made a span (and a no-op export) for every activation,
 * activity and signal, and evaluating their modules in each run's fresh module cache was most of creating the run:
 * together about a quarter of the workflow thread's busy CPU (bench/README.md, 2026-12-06). So they are required
 * here only when the worker set the flag below (src/runtime/workflow-bundle.ts prepends it to the bundle when
 * OpenTelemetry exports). Either way a run's commands are the same: the interceptors add headers (trace context)
 * and make spans, never a command, a timer or a random number the workflow uses; the replay test replays every
 * recorded history both ways.
 */
import type { WorkflowInterceptors } from '@temporalio/workflow';

/** The sandbox global that turns the interceptors on; set before the bundle's first evaluation, then frozen. */
export const WORKFLOW_TRACING_GLOBAL = '__billingWorkflowTracing';

export function interceptors(): WorkflowInterceptors {
  if ((globalThis as Record<string, unknown>)[WORKFLOW_TRACING_GLOBAL] !== true) return {};
  // A require, not an import: the module (and OpenTelemetry's SDK under it) is evaluated only in a tracing worker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const otel = require('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors') as {
    interceptors: () => WorkflowInterceptors;
  };
  return otel.interceptors();
}
