import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry owned by the composition root (no global
 * registry), so tests and several apps in one process never collide.
 */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
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
    paymentAttempts: new Counter({
      name: 'billing_payment_attempts_total',
      help: 'Invoice payment attempts made by the workflows, by outcome (succeeded, declined_soft, declined_hard)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    dunning: new Counter({
      name: 'billing_dunning_total',
      help: 'Dunning episodes by event (started, recovered, lost)',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    emails: new Counter({
      name: 'billing_email_deliveries_total',
      help: 'Customer emails by kind and outcome (sent, retried, dead)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
