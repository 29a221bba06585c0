import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The API's Prometheus metrics, on registries owned by the composition root (no global registry),
 * so tests and several apps in one process never collide. `registry`: the process, HTTP and webhook
 * figures; `billingRegistry`: billing state read from Postgres at scrape time (read-model-gauges.ts,
 * billing-health-gauges.ts: subscriptions, dunning, revenue), served only to a METRICS_TOKENS holder.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    billingRegistry: new Registry(),
    httpDuration: new Histogram({
      name: 'billing_http_request_duration_seconds',
      help: 'HTTP request latency by route template, method and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookOutcomes: new Counter({
      name: 'billing_webhook_events_total',
      help: 'Stripe webhook deliveries by outcome (accepted, duplicate, rejected_signature, rejected_size, …)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
