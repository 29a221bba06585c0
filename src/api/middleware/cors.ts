import { cors } from 'hono/cors';
import type { AppEnv } from '../context';
import type { Config } from '../../config';
import type { MiddlewareHandler } from 'hono';

/**
 * CORS for the product's frontends on other origins (CORS_ORIGINS, exact origins only): bearer tokens in the
 * Authorization header, never cookies, so no credentials mode. Any other origin gets no CORS headers, and the
 * browser keeps the answer from it.
 */
export function corsForOrigins(config: Pick<Config, 'http'>): MiddlewareHandler<AppEnv> {
  const allowed = new Set(config.http.corsOrigins);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After'],
    maxAge: 600,
  });
}
