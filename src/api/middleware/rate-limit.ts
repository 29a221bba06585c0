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

/** Limits per organization; runs after authentication. */
export function limitByOrganization() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const result = await c.get('deps').rateLimiter.take(`org:${c.get('principal').organizationId}`);
    if (!result.ok) {
      throw new ApiError(
        'RATE_LIMIT',
        'Too many requests. Please try again later.',
        { retryAfterSeconds: result.retryAfterSeconds },
        {
          'Retry-After': String(result.retryAfterSeconds),
        },
      );
    }
    c.header('RateLimit-Remaining', String(result.remaining));
    await next();
  });
}
