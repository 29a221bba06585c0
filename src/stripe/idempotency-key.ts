import { createHash } from 'node:crypto';
import type Stripe from 'stripe';

/** Stripe's limit: "Idempotency keys are up to 255 characters long" (https://docs.stripe.com/idempotency). */
export const STRIPE_IDEMPOTENCY_KEY_MAX = 255;
const HASH_LENGTH = 64;

/**
 * The key as sent to Stripe: unchanged when within the limit; otherwise its readable start, then the
 * SHA-256 of the whole key, exactly 255 characters. Deterministic, so a retried call sends the same key;
 * two long keys share a sent key only if their hashes collide.
 */
export function boundedIdempotencyKey(key: string): string {
  if (key.length <= STRIPE_IDEMPOTENCY_KEY_MAX) return key;
  const hash = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, STRIPE_IDEMPOTENCY_KEY_MAX - HASH_LENGTH - 1)}~${hash}`;
}

/**
 * Stripe's HTTP client with every Idempotency-Key bounded on its way out: keys name the business step
 * and carry the caller's Idempotency-Key (up to 200 characters), so some pass Stripe's limit, and each of
 * the service's calls gets the same treatment here rather than at every call site.
 */
export function withBoundedIdempotencyKeys(client: Stripe.HttpClient): Stripe.HttpClient {
  const bounded = Object.create(client) as Stripe.HttpClient;
  bounded.makeRequest = (host, port, path, method, headers, requestData, protocol, timeout) => {
    const key = headers['Idempotency-Key'];
    const sent = typeof key === 'string' ? { ...headers, 'Idempotency-Key': boundedIdempotencyKey(key) } : headers;
    return client.makeRequest(host, port, path, method, sent, requestData, protocol, timeout);
  };
  return bounded;
}
