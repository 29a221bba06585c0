// Deep imports: the package's index also loads its worker plugin, which the API process does not need.
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { ClientInterceptors } from '@temporalio/client';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { Tracing } from './tracing';

/**
 * Temporal's hops of a trace, by the SDK's OpenTelemetry interceptors: the client puts the caller's context in
 * the headers of a start, signal or update; the workflow (in its sandbox) continues it and passes it to each
 * activity it schedules; the activity runs in it, so Stripe's HTTP calls and Postgres queries are its children.
 * Always installed: with tracing off the global tracer is a no-op, and the workflow interceptors stand aside
 * (src/workflows/tracing-interceptors.ts).
 */

/**
 * Workflow interceptor modules: bundled with the workflows (src/cli/bundle-workflows.ts) and given to the worker.
 * OpenTelemetry's, behind a switch the worker sets in the sandbox when it traces (a bundle serves either setting).
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing-interceptors')];

export function tracingClientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

export function tracingWorkerOptions(tracing: Tracing): {
  interceptors: WorkerInterceptors;
  sinks: InjectedSinks<OpenTelemetrySinks>;
} {
  return {
    interceptors: {
      workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
