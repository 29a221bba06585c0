import Stripe from 'stripe';
import { withBoundedIdempotencyKeys } from './idempotency-key';

export interface StripeClientOptions {
  secretKey: string;
  /** Unset = api.stripe.com; the simulator or stripe-mock otherwise (e.g. http://127.0.0.1:12211). */
  apiUrl?: string;
  timeoutMs?: number;
}

/**
 * The one way the service talks to Stripe. The API version is pinned to the SDK's, so payload shapes match
 * the types; the SDK's own network retries are off because Temporal retries activities (with the same
 * idempotency key) under a bounded, visible policy. Idempotency keys longer than Stripe's 255 characters are
 * shortened on the way out (src/stripe/idempotency-key.ts).
 */
export function createStripeClient({ secretKey, apiUrl, timeoutMs = 20_000 }: StripeClientOptions): Stripe {
  const target = apiUrl ? new URL(apiUrl) : null;
  const protocol = target?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(secretKey, {
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: 'billing-service' },
    httpClient: withBoundedIdempotencyKeys(Stripe.createNodeHttpClient()),
    ...(target && { host: target.hostname, port: Number(target.port) || (protocol === 'http' ? 80 : 443), protocol }),
  });
}

export type { Stripe };
