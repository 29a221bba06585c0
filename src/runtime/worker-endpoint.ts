import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { BackgroundService } from '../background/service';

export interface WorkerProbes {
  /** Liveness: the Temporal worker polls (state RUNNING), or no Temporal worker runs in this process. */
  live: () => { ok: boolean; worker: string };
  /** Readiness: also Postgres and the Temporal namespace answer. */
  ready: () => Promise<Record<string, { ok: boolean; error?: string }>>;
}

/**
 * The worker's only HTTP port: `GET /metrics` (its prom-client registry, then the Temporal SDK's own runtime
 * metrics, scraped from Core's Prometheus exporter on loopback, so one scrape target holds both), `GET /healthz`
 * and `GET /readyz` for an orchestrator's probes.
 */
export function workerEndpoint(opts: {
  registry: Registry;
  host: string;
  port: number;
  /** Core's exporter (`Runtime.install` in src/worker.ts); unset when this process did not install one (tests). */
  sdkMetricsUrl?: string;
  probes: WorkerProbes;
  logger: Logger;
}): BackgroundService {
  let server: Server | undefined;
  const sdkMetrics = async (): Promise<string> => {
    if (!opts.sdkMetricsUrl) return '';
    try {
      const res = await fetch(opts.sdkMetricsUrl, { signal: AbortSignal.timeout(2_000) });
      return res.ok ? await res.text() : '';
    } catch (err) {
      opts.logger.warn({ err }, 'Temporal SDK metrics unavailable; serving the worker’s own');
      return '';
    }
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  return {
    name: 'metrics-endpoint',
    start() {
      server = createServer((req, res) => {
        const route = req.method === 'GET' ? req.url : undefined;
        if (route === '/metrics') {
          void Promise.all([opts.registry.metrics(), sdkMetrics()]).then(([own, sdk]) =>
            res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(`${own}\n${sdk}`),
          );
        } else if (route === '/healthz') {
          const live = opts.probes.live();
          json(res, live.ok ? 200 : 503, { status: live.ok ? 'ok' : 'unhealthy', worker: live.worker });
        } else if (route === '/readyz') {
          const live = opts.probes.live();
          void opts.probes.ready().then((checks) => {
            const ok = live.ok && Object.values(checks).every((c) => c.ok);
            json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', worker: live.worker, checks });
          });
        } else {
          res.writeHead(404).end();
        }
      }).listen(opts.port, opts.host);
    },
    async stop() {
      // Not awaited: a scraper's keep-alive connection must not hold the shutdown.
      server?.close();
    },
  };
}

/** Each check's outcome with its error message, never a throw. */
export async function runChecks(
  checks: Record<string, () => Promise<unknown>>,
): Promise<Record<string, { ok: boolean; error?: string }>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await check();
        return [name, { ok: true }] as const;
      } catch (err) {
        return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
