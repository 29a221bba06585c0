import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AppDeps } from './context';
import { ApiError } from './errors';
import {
  bodyLimitBytes,
  parseJsonBody,
  refuseBeforeBody,
  refuseTooLarge,
  type Endpoint,
  type EndpointRequest,
} from './endpoint';
import { authenticateService } from './middleware/auth';
import { errorResponse } from './middleware/on-error';
import { requestIdFrom } from './middleware/request-context';

/** An endpoint at its full path (its group's mount point and its own path). */
export interface MountedEndpoint {
  path: string;
  endpoint: Endpoint;
}

/**
 * The raw node:http adapter of the endpoints marked `nodeAdapter` (only where a benchmark showed the
 * Fetch-API Request/Response objects and the middleware chain cost a noticeable share of a hot path):
 * a request whose method and pathname (the query string ignored, as Hono ignores it) name one is
 * answered here with the endpoint's own steps, those of its Hono route: the same authentication, body
 * limit, JSON parse and schema, handler and error envelope, and what the app's middleware adds: the
 * X-Request-Id, the latency histogram under the route's template, one log line. Returns whether it took
 * the request; every other request goes to the Hono app.
 */
export function nodeAdapter(
  deps: AppDeps,
  mounted: readonly MountedEndpoint[],
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const byRoute = new Map<string, MountedEndpoint>();
  for (const m of mounted) {
    if (!m.endpoint.nodeAdapter) continue;
    if (m.endpoint.query || m.endpoint.params || m.endpoint.headers || m.path.includes('{'))
      throw new Error(`${m.path}: the node:http adapter takes endpoints without path, query or header parameters`);
    byRoute.set(`${m.endpoint.method.toUpperCase()} ${m.path}`, m);
  }
  return (req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const m = byRoute.get(`${req.method} ${q === -1 ? url : url.slice(0, q)}`);
    if (!m) return false;
    void answer(deps, m, req, res);
    return true;
  };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The handler's view of a node:http request: a class, not an object literal with closures and getters, since one is
 * built per request (the Hono side measured per-request closures at about 40 us of CPU).
 */
class NodeEndpointRequest implements EndpointRequest {
  constructor(
    readonly deps: AppDeps,
    readonly logger: Logger,
    readonly requestId: string,
    readonly body: unknown,
    private readonly req: IncomingMessage,
    private readonly responseHeaders: Record<string, string>,
  ) {}

  readonly query = undefined;
  readonly params = undefined;

  header(name: string): string | undefined {
    return headerOf(this.req, name);
  }

  setHeader(name: string, value: string): void {
    this.responseHeaders[name] = value;
  }

  get principal(): never {
    throw new Error('no user on a node:http endpoint');
  }

  get updateId(): never {
    throw new Error('no Idempotency-Key on a node:http endpoint');
  }
}

async function answer(
  deps: AppDeps,
  { path, endpoint: e }: MountedEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const endTimer = deps.metrics.httpDuration.startTimer({ method });
  const requestId = requestIdFrom(headerOf(req, 'x-request-id'));
  const logger = deps.logger.child({ requestId });
  const headers: Record<string, string> = {};
  let status: number;
  let body: unknown;
  try {
    refuseBeforeBody(e, { deps, logger, requestId, header: (name) => headerOf(req, name) });
    if (e.auth === 'service') authenticateService(deps.config.auth.usageServiceTokens, headerOf(req, 'authorization'));
    const raw = await readBody(req, bodyLimitBytes(e));
    if (raw === 'too_large') refuseTooLarge(e, { deps, logger, requestId });
    const parsed = e.body?.kind === 'json' ? await parseJsonBody(e.body, headerOf(req, 'content-type'), raw) : raw;
    const request = new NodeEndpointRequest(deps, logger, requestId, parsed, req, headers);
    body = await e.handle(request);
    status = e.status ?? 200;
  } catch (err) {
    let extra: Record<string, string>;
    ({ status, headers: extra, body } = errorResponse(err, requestId, logger));
    Object.assign(headers, extra);
    // An unread or partly read body (too large, refused before reading, or broken off) is not worth draining.
    if (!req.complete) headers.Connection = 'close';
  }
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
    'X-Request-Id': requestId,
  });
  res.end(json);
  endTimer({ route: path, status: String(status) });
  logger.info(
    { method, path: req.url?.split('?')[0], status, ms: Math.round((performance.now() - started) * 10) / 10 },
    'request',
  );
}

/**
 * The body, or 'too_large' past `maxBytes` (a declared Content-Length over it was refused before: Node's parser
 * guarantees the body has exactly that many bytes): a chunked body is counted as it streams and abandoned at
 * the limit, so an oversized body is never held in memory.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | 'too_large'> {
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
