/**
 * Idempotency keys name the business step, never a random value: a retried activity (or a replayed update
 * with the same id) sends the same key, and Stripe answers with the first result instead of acting twice.
 */
export const idempotencyKey = {
  customer: (organizationId: string) => `customer:${organizationId}`,
  testClock: (organizationId: string) => `test_clock:${organizationId}`,
  attachPaymentMethod: (customerId: string, paymentMethodId: string) => `pm_attach:${customerId}:${paymentMethodId}`,
  createSubscription: (organizationId: string, step: string) => `subscription_create:${organizationId}:${step}`,
  updateSubscription: (subscriptionId: string, step: string) => `subscription_update:${subscriptionId}:${step}`,
  cancelSubscription: (subscriptionId: string, step: string) => `subscription_cancel:${subscriptionId}:${step}`,
  payInvoice: (invoiceId: string, attempt: number) => `invoice_pay:${invoiceId}:${attempt}`,
};
