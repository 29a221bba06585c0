import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { LoggedRequest } from '../control/request-log';

/** stripe-mock pinned by the project's set-up script (Stripe's OpenAPI-validating mock). */
export const STRIPE_MOCK_BIN = resolve(__dirname, '../../../.local/bin/stripe-mock');

export interface StripeMock {
  url: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/**
 * Start a private stripe-mock on a free port (so tests never depend on the shared one). A port found free
 * can be taken again before stripe-mock binds it (or both lookups can return the same one), and then
 * stripe-mock exits at once (CI saw "stripe-mock did not start"): such a start is tried again on new ports.
 */
export async function startStripeMock(): Promise<StripeMock> {
  if (!existsSync(STRIPE_MOCK_BIN))
    throw new Error(`stripe-mock not found at ${STRIPE_MOCK_BIN}; run scripts/setup.sh`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStripeMockOnce();
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startStripeMockOnce(): Promise<StripeMock> {
  const port = await freePort();
  // stripe-mock also opens HTTPS (default :12112, taken by the shared instance), so give it its own port too.
  let httpsPort = await freePort();
  while (httpsPort === port) httpsPort = await freePort();
  const child: ChildProcess = spawn(
    STRIPE_MOCK_BIN,
    ['-http-addr', `127.0.0.1:${port}`, '-https-addr', `127.0.0.1:${httpsPort}`],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/v1/customers`, { headers: { Authorization: 'Bearer sk_test_123' } });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error('stripe-mock did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill();
      }),
  };
}

export interface Rejection {
  request: Pick<LoggedRequest, 'method' | 'path' | 'query' | 'body'>;
  status: number;
  message: string;
}

/** Send each request to stripe-mock exactly as the client sent it; return those it rejects. */
export async function rejectedByStripeMock(
  mockUrl: string,
  requests: Array<Pick<LoggedRequest, 'method' | 'path' | 'query' | 'body'>>,
): Promise<Rejection[]> {
  const rejections: Rejection[] = [];
  for (const request of requests) {
    const res = await fetch(`${mockUrl}${request.path}${request.query ? `?${request.query}` : ''}`, {
      method: request.method,
      headers: { Authorization: 'Bearer sk_test_123', 'Content-Type': 'application/x-www-form-urlencoded' },
      ...(request.method === 'POST' ? { body: request.body } : {}),
    });
    const text = await res.text();
    if (!res.ok) {
      const message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      rejections.push({ request, status: res.status, message });
    }
  }
  return rejections;
}

/**
 * The contract check: every request the simulator answered successfully must also be valid for
 * Stripe's OpenAPI spec as enforced by stripe-mock. Throws with the offending requests.
 */
export async function assertAcceptedByStripeMock(mockUrl: string, requests: LoggedRequest[]): Promise<void> {
  const replayable = requests.filter((r) => r.status >= 200 && r.status < 300);
  const rejections = await rejectedByStripeMock(mockUrl, replayable);
  if (rejections.length > 0) {
    const lines = rejections.map(
      (r) =>
        `${r.request.method} ${r.request.path}${r.request.query ? `?${r.request.query}` : ''} ${r.request.body} → ${r.status}: ${r.message}`,
    );
    throw new Error(
      `stripe-mock rejected ${rejections.length} request(s) the simulator accepted:\n${lines.join('\n')}`,
    );
  }
}
