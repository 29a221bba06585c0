import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../context';

/** Latency by route template (never the raw path, which would explode label cardinality). */
export function httpMetrics() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const end = c.get('deps').metrics.httpDuration.startTimer({ method: c.req.method });
    await next();
    const handler = matchedRoutes(c)
      .filter((r) => r.method !== 'ALL')
      .at(-1);
    end({ route: handler?.path ?? 'unmatched', status: String(c.res.status) });
  });
}
