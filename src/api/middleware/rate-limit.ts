import { createMiddleware } from 'hono/factory';
import type { Pool } from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';

export interface RateLimiter {
  /** Takes one request from `key`'s allowance; `retryAfterSeconds` is set when none is left. */
  take(key: string): Promise<{ ok: boolean; remaining: number; retryAfterSeconds: number }>;
}

/**
 * `perMinute` requests per key in each minute-long window, counted in Postgres (rate-limiter-flexible's
 * Postgres store, table api_rate_limits) so that every API instance draws on one allowance: behind N
 * instances the limit stays `perMinute`, not N times it. One upsert per request on the pool the API already
 * has; no new service to run. Should Postgres fail, each instance falls back to its own in-memory window
 * (the library's insurance limiter) rather than refusing or admitting everything. Without `pool` (unit
 * tests, a single process), the in-memory window alone.
 */
export function createRateLimiter(opts: { perMinute: number; pool?: Pool }): RateLimiter {
  const window = { points: opts.perMinute, duration: 60, keyPrefix: 'api' };
  const memory = new RateLimiterMemory(window);
  const limiter = opts.pool
    ? new RateLimiterPostgres({
        ...window,
        storeClient: opts.pool,
        storeType: 'pool',
        tableName: 'api_rate_limits',
        tableCreated: true,
        insuranceLimiter: memory,
      })
    : memory;
  return {
    async take(key) {
      try {
        const res = await limiter.consume(key);
        return { ok: true, remaining: res.remainingPoints, retryAfterSeconds: 0 };
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        return { ok: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      }
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

/**
 * Runs a preview (a change preview, the next invoice: Stripe calls a member may ask for) within the organization's
 * preview budget: one more in flight than allowed, or over the rate, is 429 with Retry-After.
 */
export async function withinPreviewBudget<T>(
  limiter: PreviewLimiter,
  organizationId: string,
  preview: () => Promise<T>,
): Promise<T> {
  const key = `org:${organizationId}`;
  const release = limiter.inFlight.tryAcquire(key);
  if (!release) throw rateLimited(1, 'A preview for this organization is already running. Please try again shortly.');
  try {
    const taken = await limiter.rate.take(key);
    if (!taken.ok) throw rateLimited(taken.retryAfterSeconds, 'Too many previews. Please try again later.');
    return await preview();
  } finally {
    release();
  }
}

/** Limits per organization; runs after authentication. */
export function limitByOrganization() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const result = await c.get('deps').rateLimiter.take(`org:${c.get('principal').organizationId}`);
    if (!result.ok) throw rateLimited(result.retryAfterSeconds);
    c.header('RateLimit-Remaining', String(result.remaining));
    await next();
  });
}
