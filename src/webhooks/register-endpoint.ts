import type Stripe from 'stripe';

/**
 * Local runs on the simulator register the API's webhook URL with "Stripe" themselves, the way an
 * operator does once in the Dashboard for real Stripe. All events: the relay mirrors invoice and
 * payment-method events beyond the ones the workflow consumes, and stores the rest.
 * Idempotent: an enabled endpoint with the same URL is kept.
 */
export async function ensureWebhookEndpoint(stripe: Stripe, url: string): Promise<'created' | 'exists'> {
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) {
    if (endpoint.url === url && endpoint.status === 'enabled') return 'exists';
  }
  await stripe.webhookEndpoints.create({ url, enabled_events: ['*'], description: 'billing service (local)' });
  return 'created';
}
