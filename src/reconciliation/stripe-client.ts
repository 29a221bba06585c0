import Stripe from 'stripe';
import type { Config } from '../config';

/**
 * The SDK pointed at Stripe or, when configured, the local simulator. Used by the reconciliation
 * and backfill commands; the worker may pass its own client instead.
 */
export function stripeFromConfig(config: Config['stripe']): Stripe {
  if (!config.apiUrl) return new Stripe(config.secretKey, { maxNetworkRetries: 2 });
  const url = new URL(config.apiUrl);
  return new Stripe(config.secretKey, {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 2,
  });
}
