import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { safeEqual } from '../middleware/auth';

/**
 * Prometheus scrapes. Billing figures (subscriptions by plan, dunning, revenue, the health ratios) are
 * business data: with METRICS_TOKENS set, a scrape must present one of them and gets every figure; without
 * it, /metrics serves only the process, HTTP and webhook figures to anyone.
 */
export const metricsRoutes = new Hono<AppEnv>().get('/metrics', async (c) => {
  const { metrics, config } = c.get('deps');
  const tokens = config.auth.metricsTokens;
  if (tokens.length > 0) {
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    // Every configured token is compared (no early exit), as for admin tokens.
    if (!token || !tokens.map((t) => safeEqual(t, token)).includes(true))
      throw new ApiError('UNAUTHORIZED', 'Send Authorization: Bearer <token from METRICS_TOKENS>', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
  }
  const text = (await metrics.registry.metrics()) + (tokens.length > 0 ? await metrics.billingRegistry.metrics() : '');
  return c.text(text, 200, { 'Content-Type': metrics.registry.contentType });
});
