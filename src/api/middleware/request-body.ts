import type { IncomingMessage } from 'node:http';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';

/**
 * A response sent before the request's body has arrived (a refusal before reading it, a route that takes no
 * body) closes the connection: otherwise Node would drain whatever the client keeps sending, for as long as
 * it sends, to reuse the socket. A body that arrived in full is discarded by Node and the connection stays.
 */
export const closeAfterUnreadBody = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  // @hono/node-server hands the node:http request in as env.incoming (absent under app.request() in tests).
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && !incoming.complete) c.res.headers.set('Connection', 'close');
});

/**
 * The routes outside the endpoint groups (health, metrics, the OpenAPI document and its page) take no body: a
 * declared or streamed one is refused like an endpoint's without one (endpoint.ts `refuseBeforeBody`).
 */
export function refuseBodyOutside(prefix: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    if (!c.req.path.startsWith(`${prefix}/`) && (declared > 0 || c.req.header('transfer-encoding') !== undefined))
      throw new ApiError('PAYLOAD_TOO_LARGE', 'This endpoint takes no request body');
    await next();
  });
}
