import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HttpLimits } from '../config';
import { MOUNTED_ENDPOINTS } from './app';
import type { AppDeps, AppEnv } from './context';
import { nodeAdapter, type MountedEndpoint } from './endpoint-node';
import { ERROR_STATUS, envelope, type ErrorCode } from './errors';
import { requestIdFrom } from './middleware/request-context';

/**
 * The API's HTTP server: the Hono app, except for the endpoints whose definition asks for the raw
 * node:http adapter generated from it (src/api/endpoint-node.ts), matched by method and pathname.
 * The server bounds what a client may hold (config `http.limits`): slow headers, a slow or stalled
 * request, idle keep-alive sockets, the number of sockets and the size of the request head.
 */
export function createHttpServer(
  app: OpenAPIHono<AppEnv>,
  deps: AppDeps,
  endpoints: readonly MountedEndpoint[] = MOUNTED_ENDPOINTS,
): Server {
  const hono = getRequestListener(app.fetch);
  const direct = nodeAdapter(deps, endpoints);
  const limits = deps.config.http.limits;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // Checked by hasOneHost below, answered with the envelope (Node's own check answers a bare 400).
      requireHostHeader: false,
      // Node checks the two timeouts on this interval (default 30 s, which would stretch a 10 s budget to 40 s).
      connectionsCheckingInterval: checkingInterval(limits),
    },
    (req, res) => {
      if (!hasOneHost(req)) refuseWithoutHost(res);
      else if (!direct(req, res)) void hono(req, res);
    },
  );
  // Sockets past the cap are closed as they are accepted; those already open keep being served.
  server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  return server;
}

/**
 * HTTP/1.0 and 1.1 with exactly one Host header (RFC 9112 3.2: a request without one, or with two, is a 400);
 * Node's parser also lets HTTP/0.9-style request lines and Host-less HTTP/1.0 through, and routes build their
 * URL from the Host.
 */
function hasOneHost(req: IncomingMessage): boolean {
  if (req.httpVersionMajor !== 1) return false;
  let hosts = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts++;
  return hosts === 1;
}

function refuseWithoutHost(res: ServerResponse): void {
  const requestId = requestIdFrom(undefined);
  const body = JSON.stringify(envelope('INVALID_REQUEST', 'A request needs exactly one Host header', requestId));
  res.writeHead(400, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': requestId,
    Connection: 'close',
  });
  res.end(body);
}

function checkingInterval(limits: HttpLimits): number {
  return Math.max(50, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** Node's own refusals (the request never reached a route): its parse errors, timeouts and oversized heads. */
const CLIENT_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: 'REQUEST_TIMEOUT',
    message: 'The request was not received in time; send its headers and body without pausing',
  },
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
};

/**
 * Node's 'clientError' default answers a bare status line; this answers the API's envelope instead,
 * then closes the connection (what follows a malformed or timed-out request cannot be trusted).
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const known = CLIENT_ERRORS[err.code ?? ''];
  const code: ErrorCode = known?.code ?? 'INVALID_REQUEST';
  const status = ERROR_STATUS[code];
  // Every answer carries its request id in the header too, as the envelope does (the caller's header was not read).
  const requestId = requestIdFrom(undefined);
  const body = JSON.stringify(envelope(code, known?.message ?? 'The request is not valid HTTP/1.1', requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
  // A client that never reads the answer does not keep the socket either.
  setTimeout(() => socket.destroy(), 1_000).unref();
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
