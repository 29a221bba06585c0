import type { IncomingMessage } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingConfig } from './otel-env';

/** What a process's runtime needs from tracing: the processor and resource for workflow spans, and a flush at stop. */
export interface Tracing {
  readonly enabled: boolean;
  readonly resource: Resource;
  /** Where workflow spans go (they are made in the workflow sandbox and handed out through a sink). */
  readonly spanProcessor: SpanProcessor;
  /** Exports what is still batched; the process calls it last, after its runtime stopped. */
  shutdown(): Promise<void>;
}

export function disabledTracing(serviceName = 'billing'): Tracing {
  return {
    enabled: false,
    resource: new Resource({ 'service.name': serviceName }),
    spanProcessor: new NoopSpanProcessor(),
    shutdown: async () => undefined,
  };
}

/** Probes and scrapes would be most of the spans and none of the questions. */
const UNTRACED_PATHS = /^\/(metrics|healthz|readyz)(\?|$)/;

/**
 * Starts OpenTelemetry in this process when `config.enabled`: a tracer provider registered globally (W3C trace
 * context, AsyncLocalStorage), OTLP/HTTP export in batches, and the instrumentations of the hops a request takes
 * here: incoming and outgoing HTTP (the API's requests, Stripe's SDK) and Postgres (`pg`). Temporal's own hops
 * are its interceptors (src/telemetry/temporal.ts). Must run before the modules it instruments are loaded:
 * the entry points call it first and import the runtime afterwards.
 */
export function startTracing(config: TracingConfig, defaultServiceName: string): Tracing {
  const serviceName = config.serviceName ?? defaultServiceName;
  if (!config.enabled || !config.tracesUrl) return disabledTracing(serviceName);
  const resource = new Resource({ ...config.resourceAttributes, 'service.name': serviceName });
  const spanProcessor = new BatchSpanProcessor(
    new OTLPTraceExporter({ url: config.tracesUrl, headers: config.headers }),
    {
      scheduledDelayMillis: config.batchDelayMs,
    },
  );
  const provider = new NodeTracerProvider({
    resource,
    sampler: sampler(config.sampler),
    spanProcessors: [spanProcessor],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
      }),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    enabled: true,
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}

function sampler({ name, ratio }: TracingConfig['sampler']): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
