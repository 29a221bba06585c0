import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './context';
import { ApiError } from './errors';
import { errorResponse } from './middleware/on-error';
import { requestIdFrom } from './middleware/request-context';
import { WEBHOOK_BODY_LIMIT_BYTES, receiveStripeDelivery } from './routes/stripe-webhook';
import { USAGE_BODY_LIMIT_BYTES, USAGE_EVENTS_PATH, receiveUsageBatch, takesUsageBatchDirectly } from './routes/usage-ingest';

export const STRIPE_WEBHOOK_PATH = '/api/v1/billing/webhooks/stripe';

/**
 * The API's HTTP server. Every request goes to the Hono app, except the two paths that take bursts
 * of thousands a second: Stripe's deliveries (`POST /api/v1/billing/webhooks/stripe`) and usage
 * batches (`POST /api/v1/billing/usage/events` with a known service token and a JSON body of a
 * declared length within the limit; any other usage request goes to the route, which answers it),
 * both without a query string. They skip the Fetch-API Request/Response objects and the middleware
 * chain and run the route's own code (receiveStripeDelivery, receiveUsageBatch) on node:http
 * directly, with what the middleware would have added kept: the X-Request-Id, the latency histogram
 * under the route's template, one log line per request and the error envelope. The Hono routes stay:
 * they serve any other spelling of the paths and document the endpoints in the OpenAPI description.
 */
export function createHttpServer(app: OpenAPIHono<AppEnv>, deps: AppDeps): Server {
  const hono = getRequestListener(app.fetch);
  return createServer((req, res) => {
    if (req.method === 'POST' && req.url === STRIPE_WEBHOOK_PATH) {
      const signature = req.headers['stripe-signature'];
      void answerDirectly(deps, req, res, STRIPE_WEBHOOK_PATH, WEBHOOK_BODY_LIMIT_BYTES, (raw, requestId) =>
        receiveStripeDelivery(deps, raw, typeof signature === 'string' ? signature : undefined, requestId));
    } else if (req.method === 'POST' && req.url === USAGE_EVENTS_PATH && takesUsageBatchDirectly(deps, req.headers)) {
      void answerDirectly(deps, req, res, USAGE_EVENTS_PATH, USAGE_BODY_LIMIT_BYTES, (raw, requestId) => receiveUsageBatch(deps, raw, requestId));
    } else {
      void hono(req, res);
    }
  });
}

/** Listens on host:port and resolves with the bound address (port 0 = any free port). */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Reads the body, runs the route's work on it and answers with its JSON (200) or the error envelope. */
async function answerDirectly(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  route: string,
  maxBytes: number,
  work: (raw: Uint8Array | 'too_large', requestId: string) => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  const endTimer = deps.metrics.httpDuration.startTimer({ method: 'POST' });
  const header = req.headers['x-request-id'];
  const requestId = requestIdFrom(typeof header === 'string' ? header : undefined);
  let status: number;
  let body: unknown;
  let headers: Record<string, string> = {};
  try {
    body = await work(await readBody(req, maxBytes), requestId);
    status = 200;
  } catch (err) {
    ({ status, headers, body } = errorResponse(err, requestId, deps.logger.child({ requestId })));
    // An unread or partly read body (too large, or the request broke off) is not worth draining.
    if (!req.readableEnded) headers.Connection = 'close';
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), 'X-Request-Id': requestId });
  res.end(json);
  endTimer({ route, status: String(status) });
  deps.logger.info({ requestId, method: 'POST', path: route, status, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
}

/**
 * The body, or 'too_large' past `maxBytes`: a declared Content-Length over the limit is refused
 * before a byte is read (Node's parser guarantees the body has exactly that many), and a chunked
 * body is counted as it streams and abandoned at the limit, so an oversized delivery is never held
 * in memory.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | 'too_large'> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('aborted', () => reject(new ApiError('INVALID_REQUEST', 'The request body was cut off before its end')));
  });
}
