import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { AppDeps, AppEnv } from '../context';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

/** A caller's well-formed X-Request-Id, or a fresh one. */
export function requestIdFrom(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
}

/**
 * Gives each request its id (a caller's well-formed X-Request-Id is kept for tracing across
 * services), a child logger carrying it, and the dependencies; logs one line per request.
 */
export function requestContext(deps: AppDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    const logger = deps.logger.child({ requestId });
    c.set('deps', deps);
    c.set('requestId', requestId);
    c.set('logger', logger);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 10) / 10;
    logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms }, 'request');
  });
}
