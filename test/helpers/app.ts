import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createHttpServer, listen } from '../../src/api/http-server';
import type { AppDeps } from '../../src/api/context';
import { createMetrics } from '../../src/api/metrics';
import { createTokenVerifier } from '../../src/api/middleware/auth';
import { createPreviewLimiter, createRateLimiter } from '../../src/api/middleware/rate-limit';
import { loadConfig, type Config } from '../../src/config';
import type { Db } from '../../src/db/database';
import { TEST_SERVICE_TOKEN } from './tokens';

/** Dependencies for an app under test: real Postgres (the suite's schema), a real or lazy Temporal client. */
export function buildTestAppDeps(opts: {
  db: Db;
  env?: Record<string, string>;
  temporal?: Client;
  overrides?: Partial<AppDeps>;
}): AppDeps {
  const config: Config = loadConfig({ NODE_ENV: 'test', USAGE_SERVICE_TOKENS: TEST_SERVICE_TOKEN, ...opts.env });
  // A lazy connection to nowhere: routes that don't need Temporal never touch it.
  const temporal = opts.temporal ?? new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  return {
    config,
    db: opts.db,
    temporal,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    readiness: {},
    tokenVerifier: createTokenVerifier(config.auth),
    rateLimiter: createRateLimiter({ perMinute: config.http.rateLimitPerMinute }),
    previewLimiter: createPreviewLimiter(config.http.previews),
    metrics: createMetrics(),
    ...opts.overrides,
  };
}

export interface RunningApp {
  url: string;
  deps: AppDeps;
  close(): Promise<void>;
}

/** Serves createApp(deps) over real HTTP on a free loopback port, through the same server as src/server.ts. */
export async function startTestApp(deps: AppDeps): Promise<RunningApp> {
  const server = createHttpServer(createApp(deps), deps);
  const { port } = await listen(server, '127.0.0.1', 0);
  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** How many requests the app's latency histogram counted under a route template and status. */
export async function countedRequests(deps: AppDeps, route: string, status: string): Promise<number> {
  return (
    (await deps.metrics.httpDuration.get()).values.find(
      (v) =>
        v.metricName === 'billing_http_request_duration_seconds_count' &&
        v.labels.route === route &&
        v.labels.status === status,
    )?.value ?? 0
  );
}
