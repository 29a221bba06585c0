import { Counter, Histogram, type Registry } from 'prom-client';

/** What the relay reports; a no-op when the composition root registers nothing. */
export interface RelayMetrics {
  outcome(outcome: 'relayed' | 'ignored' | 'retried' | 'dead_lettered'): void;
  /** Seconds from receipt to delivery. */
  lag(seconds: number): void;
}

export const noRelayMetrics: RelayMetrics = { outcome: () => undefined, lag: () => undefined };

export function createRelayMetrics(registry: Registry): RelayMetrics {
  const outcomes = new Counter({
    name: 'billing_webhook_relay_total',
    help: 'Stored Stripe events handled by the relay, by outcome (relayed, ignored, retried, dead_lettered)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'billing_webhook_relay_lag_seconds',
    help: 'Time from storing a Stripe event to signalling its workflow',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [registry],
  });
  return { outcome: (o) => outcomes.inc({ outcome: o }), lag: (s) => lag.observe(s) };
}
