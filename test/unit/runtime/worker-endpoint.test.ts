import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { runChecks, workerEndpoint, type WorkerProbes } from '../../../src/runtime/worker-endpoint';
import { freePort, waitForHttp } from '../../../tools/support/processes';

const SDK_TEXT =
  '# HELP temporal_sticky_cache_size x\n# TYPE temporal_sticky_cache_size gauge\ntemporal_sticky_cache_size 3\n';

describe('the worker’s HTTP endpoint', () => {
  let sdk: Server;
  let sdkUrl: string;
  beforeAll(async () => {
    sdk = createServer((_, res) => res.writeHead(200).end(SDK_TEXT));
    await new Promise<void>((resolve) => sdk.listen(0, '127.0.0.1', resolve));
    sdkUrl = `http://127.0.0.1:${(sdk.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => sdk.close(() => resolve())));

  async function serve(probes: WorkerProbes, sdkMetricsUrl?: string) {
    const registry = new Registry();
    new Counter({ name: 'billing_email_deliveries_total', help: 'x', registers: [registry] }).inc();
    const port = await freePort();
    const endpoint = workerEndpoint({
      registry,
      host: '127.0.0.1',
      port,
      sdkMetricsUrl,
      probes,
      logger: pino({ level: 'silent' }),
    });
    endpoint.start();
    await waitForHttp(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return { base: `http://127.0.0.1:${port}`, stop: () => endpoint.stop() };
  }

  const healthy: WorkerProbes = {
    live: () => ({ ok: true, worker: 'RUNNING' }),
    ready: () => runChecks({ postgres: async () => undefined }),
  };

  test('/metrics serves the worker’s own metrics and the Temporal SDK’s in one scrape', async () => {
    const { base, stop } = await serve(healthy, sdkUrl);
    try {
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('billing_email_deliveries_total 1');
      expect(text).toContain('temporal_sticky_cache_size 3');
    } finally {
      await stop();
    }
  });

  test('/metrics still serves the worker’s own when the SDK exporter does not answer', async () => {
    const { base, stop } = await serve(healthy, `http://127.0.0.1:${await freePort()}/metrics`);
    try {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('billing_email_deliveries_total 1');
    } finally {
      await stop();
    }
  });

  test('/healthz and /readyz answer 200 while the worker polls and its dependencies answer', async () => {
    const { base, stop } = await serve(healthy);
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', worker: 'RUNNING' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: { ok: true } } });
    } finally {
      await stop();
    }
  });

  test('a draining or failed worker is unhealthy (503); a dependency down makes it unready, naming it', async () => {
    const { base, stop } = await serve({
      live: () => ({ ok: false, worker: 'DRAINING' }),
      ready: () =>
        runChecks({
          postgres: async () => {
            throw new Error('connection refused');
          },
        }),
    });
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'unhealthy', worker: 'DRAINING' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: 'not_ready',
        checks: { postgres: { ok: false, error: 'connection refused' } },
      });
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await stop();
    }
  });
});
