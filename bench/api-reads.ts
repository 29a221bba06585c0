/**
 * GET /subscription and GET /plans throughput and latency through real HTTP against a separate API
 * process (so the load generator does not share its event loop). Not a test: it prints figures.
 * Latency at a fixed rate comes from an open-loop generator (./open-loop); maximum throughput from
 * autocannon (closed loop, 50 connections).
 *   npx tsx bench/api-reads.ts [--seconds 20] [--rate 2000]
 * Needs the local stack (npm run setup). Seeds bench organizations into DATABASE_URL and removes them.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { freePort, waitForHttp } from '../test/helpers/processes';
import { userToken } from '../test/helpers/tokens';
import { runOpenLoop } from './open-loop';

const args = z
  .object({ seconds: z.coerce.number().int().min(5).max(120).default(20), rate: z.coerce.number().int().min(100).max(20_000).default(2_000) })
  .parse(Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((kv) => kv.trim().split(/\s+/))));

const ORGS = 1_000;
const config = loadConfig();
const db = createDb({ url: config.database.url });

/** The API process's CPU seconds so far, from its own /metrics (prom-client's process collector). */
async function apiCpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text)?.[1] ?? NaN);
}

/** Prints one JSON line per scenario with the API's CPU per request (less sensitive to other load than latency). */
async function scenario<R extends { completed: number }>(url: string, title: string, measure: () => Promise<R>): Promise<R> {
  const cpuBefore = await apiCpuSeconds(url);
  const result = await measure();
  const apiCpuMsPerRequest = Math.round(((await apiCpuSeconds(url)) - cpuBefore) * 1e6 / result.completed) / 1e3;
  console.log(JSON.stringify({ scenario: title, ...result, apiCpuMsPerRequest }));
  return result;
}

async function maxThroughput(opts: autocannon.Options) {
  const result = await autocannon({ duration: args.seconds, ...opts });
  return {
    completed: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main() {
  const prefix = `bench_${Date.now().toString(36)}`;
  const orgs = Array.from({ length: ORGS }, (_, i) => `${prefix}_${i}`);
  await db
    .insertInto('subscriptions')
    .values(orgs.map((org) => ({ organization_id: org, workflow_id: `subscription:${org}`, plan: 'starter', status: 'active', unit_amount: 2900 })))
    .execute();
  const tokens = await Promise.all(orgs.map((org) => userToken({ org, role: 'member' })));

  const port = await freePort();
  const api = spawn(path.join(__dirname, '../node_modules/.bin/tsx'), [path.join(__dirname, '../src/server.ts')], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '100000000', NODE_ENV: 'development' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`);
    const subscriptionRequests = tokens.map((t) => ({ method: 'GET' as const, path: '/api/v1/billing/subscription', headers: { authorization: `Bearer ${t}` } }));
    const plansRequests = [{ method: 'GET' as const, path: '/api/v1/billing/plans' }];
    await maxThroughput({ url, connections: 10, requests: subscriptionRequests, duration: 5 }); // JIT, pool, prepared statements
    console.log(`# ${args.seconds}s per scenario, ${ORGS} organizations, API on its own process, request logging on (pino)`);
    const atRate = (requests: { path: string; headers?: Record<string, string> }[]) => async () => {
      const result = await runOpenLoop({ url, ratePerSecond: args.rate, seconds: args.seconds, connections: 64, requests });
      return { completed: Math.round(result.completedPerSecond * args.seconds), ...result };
    };
    const fixed = await scenario(url, `GET /subscription at a fixed ${args.rate}/s (open loop)`, atRate(subscriptionRequests));
    await scenario(url, `GET /plans at a fixed ${args.rate}/s (open loop)`, atRate(plansRequests));
    await scenario(url, 'GET /subscription, max throughput (autocannon, 50 connections)', () => maxThroughput({ url, connections: 50, requests: subscriptionRequests }));
    await scenario(url, 'GET /plans, max throughput (autocannon, 50 connections)', () => maxThroughput({ url, connections: 50, requests: plansRequests }));
    const pass = fixed.p99ms < 10 && fixed.completedPerSecond >= args.rate * 0.98 && fixed.non2xx === 0 && fixed.errors === 0;
    console.log(`target (p99 < 10 ms at ${args.rate}/s on GET /subscription): ${pass ? 'met' : 'NOT met'}`);
  } finally {
    api.kill('SIGTERM');
    await db.deleteFrom('subscriptions').where('organization_id', 'like', `${prefix}_%`).execute();
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
