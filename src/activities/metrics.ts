import { Counter, type Registry } from 'prom-client';

export interface PaymentMetrics {
  payment(outcome: 'paid' | 'declined' | 'not_open'): void;
}

/**
 * The seed's success metrics from our side: dunning payment attempts by outcome give the retry success
 * rate; the read models (invoices, subscriptions) give the rest.
 */
export function createPaymentMetrics(registry: Registry | undefined): PaymentMetrics {
  if (!registry) return { payment: () => undefined };
  const attempts = new Counter({
    name: 'billing_dunning_payment_attempts_total',
    help: 'Payment attempts made by the workflow on open invoices, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return { payment: (outcome) => attempts.inc({ outcome }) };
}
