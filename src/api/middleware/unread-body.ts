import type { IncomingMessage } from 'node:http';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';

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
