import type Stripe from 'stripe';
import { SUBSCRIBED_EVENT_TYPES } from './handled-events';

const sameTypes = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((t) => b.includes(t));

/**
 * Local runs on the simulator register the API's webhook URL with "Stripe" themselves, the way an
 * operator does once in the Dashboard for real Stripe, for the event types the service reads
 * (SUBSCRIBED_EVENT_TYPES). Idempotent: an enabled endpoint with the same URL is kept, its event
 * list brought up to date if it differs (an endpoint registered before the list existed had `*`).
 */
export async function ensureWebhookEndpoint(stripe: Stripe, url: string): Promise<'created' | 'exists' | 'updated'> {
  const enabled_events = [...SUBSCRIBED_EVENT_TYPES] as Stripe.WebhookEndpointCreateParams.EnabledEvent[];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) {
    if (endpoint.url !== url || endpoint.status !== 'enabled') continue;
    if (sameTypes(endpoint.enabled_events, enabled_events)) return 'exists';
    await stripe.webhookEndpoints.update(endpoint.id, { enabled_events });
    return 'updated';
  }
  await stripe.webhookEndpoints.create({ url, enabled_events, description: 'billing service (local)' });
  return 'created';
}
