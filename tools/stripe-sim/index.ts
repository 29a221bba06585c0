import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest } from './http/api';
import { FaultInjector } from './control/faults';
import { RequestLog } from './control/request-log';
import { handleControl } from './control/routes';
import { buildRouter } from './routes';
import { Sim } from './sim';
import { TimeKeeper } from './clock';
import { Store } from './store';
import { WebhookDispatcher, type DeliveryOptions } from './webhooks/dispatcher';

export interface StripeSimulatorOptions {
  /** Persist state to this JSON file (memory only when absent). */
  stateFile?: string | undefined;
  /** Give every webhook endpoint this secret instead of a random `whsec_`. */
  webhookSecret?: string | undefined;
  host?: string | undefined;
  webhooks?: Partial<DeliveryOptions> | undefined;
  /** How often customers not on a test clock are moved forward in real time. */
  tickMs?: number | undefined;
}

export interface StripeSimulator {
  listen(port?: number): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
  readonly sim: Sim;
  readonly dispatcher: WebhookDispatcher;
  readonly requests: RequestLog;
  reset(): void;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createStripeSimulator(options: StripeSimulatorOptions = {}): StripeSimulator {
  const host = options.host ?? '127.0.0.1';
  const store = new Store(options.stateFile);
  const sim = new Sim(store);
  const faults = new FaultInjector();
  const log = new RequestLog();
  const dispatcher = new WebhookDispatcher(sim, {
    retryBaseMs: 1_000,
    maxAttempts: 6,
    timeoutMs: 10_000,
    ...options.webhooks,
  });
  const time = new TimeKeeper(sim, options.tickMs ?? 1_000);
  const router = buildRouter(sim, time, { webhookSecret: options.webhookSecret });
  const reset = (): void => {
    store.reset();
    dispatcher.reset();
    faults.clear();
    log.clear();
  };

  // Which control paths a client used (reads of the two logs themselves aside), so a run that must use only
  // Stripe's public API can show it did: GET /_sim/control-requests.
  let controlLog: { method: string; path: string; at: string }[] = [];
  const LOG_PATHS = new Set(['/_sim/requests', '/_sim/control-requests']);
  const control = (req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> | void => {
    if (url.pathname === '/_sim/control-requests') {
      if (req.method === 'DELETE') controlLog = [];
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: controlLog }));
      return;
    }
    if (!LOG_PATHS.has(url.pathname)) {
      controlLog.push({ method: req.method ?? 'GET', path: url.pathname, at: new Date().toISOString() });
      if (controlLog.length > 10_000) controlLog.shift();
    }
    return handleControl({ sim, faults, log, dispatcher, reset }, req, res, url, raw);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? host}`);
    // Stripe's API answers browsers (Stripe.js calls it from any origin with a publishable key): CORS for /v1.
    if (!url.pathname.startsWith('/_sim/')) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, POST, DELETE',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Stripe-Version, Idempotency-Key',
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      }
    }
    readBody(req)
      .then((raw) =>
        url.pathname.startsWith('/_sim/')
          ? control(req, res, url, raw)
          : handleApiRequest({ sim, router, faults, log }, req, res, url, raw),
      )
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { type: 'invalid_request_error', message: error instanceof Error ? error.message : 'bad request' },
          }),
        );
      });
  });

  return {
    sim,
    dispatcher,
    requests: log,
    reset,
    listen(port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const actual = (server.address() as AddressInfo).port;
          const url = `http://${host}:${actual}`;
          sim.setBaseUrl(url);
          time.start();
          resolve({ url, port: actual });
        });
      });
    },
    close() {
      time.stop();
      dispatcher.close();
      store.flush();
      return new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
