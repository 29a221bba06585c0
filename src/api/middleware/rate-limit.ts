import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';

export interface RateLimiter {
  /** Takes one token for `key`; `retryAfterSeconds` is set when none is left. */
  take(key: string): { ok: boolean; remaining: number; retryAfterSeconds: number };
}

/**
 * A token bucket per key: `perMinute` sustained, bursts up to the same size. State is per API
 * instance; behind N instances the effective limit is N × perMinute (documented in the README).
 */
export function createRateLimiter(opts: { perMinute: number; now?: () => number }): RateLimiter {
  const buckets = new Map<string, { tokens: number; updatedAt: number }>();
  const now = opts.now ?? Date.now;
  const refillPerMs = opts.perMinute / 60_000;
  let lastSweep = now();
  return {
    take(key) {
      const t = now();
      if (t - lastSweep > 60_000) {
        // A full bucket carries no information; dropping them bounds memory by active callers.
        for (const [k, b] of buckets)
          if (b.tokens + (t - b.updatedAt) * refillPerMs >= opts.perMinute) buckets.delete(k);
        lastSweep = t;
      }
      const bucket = buckets.get(key) ?? { tokens: opts.perMinute, updatedAt: t };
      bucket.tokens = Math.min(opts.perMinute, bucket.tokens + (t - bucket.updatedAt) * refillPerMs);
      bucket.updatedAt = t;
      buckets.set(key, bucket);
      if (bucket.tokens < 1) {
        return {
          ok: false,
          remaining: 0,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
        };
      }
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    },
  };
}

/** The 429 of every limit: RATE_LIMIT with Retry-After (also in details). */
export function rateLimited(
  retryAfterSeconds: number,
  message = 'Too many requests. Please try again later.',
): ApiError {
  return new ApiError('RATE_LIMIT', message, { retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

export interface InFlightLimiter {
  /** A release function when `key` has fewer than the maximum in flight; undefined when it is full. */
  tryAcquire(key: string): (() => void) | undefined;
}

/** At most `max` operations in flight per key (per API instance). */
export function createInFlightLimiter(max: number): InFlightLimiter {
  const inFlight = new Map<string, number>();
  return {
    tryAcquire(key) {
      const n = inFlight.get(key) ?? 0;
      if (n >= max) return undefined;
      inFlight.set(key, n + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left === 0) inFlight.delete(key);
        else inFlight.set(key, left);
      };
    },
  };
}

/**
 * Change previews: each is a workflow update and Stripe calls, and members may send them. Their own budget per
 * organization (a rate and a number in flight), apart from the organization's general one, so previews can never
 * use up the budget the organization's changes draw on, nor the shared Stripe quota.
 */
export interface PreviewLimiter {
  rate: RateLimiter;
  inFlight: InFlightLimiter;
}

export function createPreviewLimiter(opts: { perMinute: number; maxInFlight: number }): PreviewLimiter {
  return { rate: createRateLimiter({ perMinute: opts.perMinute }), inFlight: createInFlightLimiter(opts.maxInFlight) };
}

/** Limits per organization; runs after authentication. */
export function limitByOrganization() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const result = c.get('deps').rateLimiter.take(`org:${c.get('principal').organizationId}`);
    if (!result.ok) throw rateLimited(result.retryAfterSeconds);
    c.header('RateLimit-Remaining', String(result.remaining));
    await next();
  });
}
