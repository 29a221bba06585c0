/**
 * GET /subscription and GET /plans throughput and latency through real HTTP against a separate API
 * process (so the load generator does not share its event loop). Not a test: it prints figures.
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

const args = z
  .object({ seconds: z.coerce.number().int().min(5).max(120).default(20), rate: z.coerce.number().int().min(100).max(20_000).default(2_000) })
  .parse(Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((kv) => kv.trim().split(/\s+/))));

const ORGS = 1_000;
const config = loadConfig();
const db = createDb({ url: config.database.url });

async function run(title: string, opts: autocannon.Options) {
  const result = await autocannon({ ...opts, duration: args.seconds });
  const line = {
    scenario: title,
    requestsPerSecond: Math.round(result.requests.average),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(JSON.stringify(line));
  return line;
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
    await run('warm-up', { url, connections: 10, requests: subscriptionRequests, duration: 5 });
    console.log(`# ${args.seconds}s per scenario, ${ORGS} organizations, API on its own process, request logging on (pino)`);
    const fixed = await run(`GET /subscription at a fixed ${args.rate}/s`, { url, connections: 40, overallRate: args.rate, requests: subscriptionRequests });
    await run('GET /subscription, max throughput', { url, connections: 50, requests: subscriptionRequests });
    await run('GET /plans, max throughput', { url, connections: 50, requests: [{ method: 'GET', path: '/api/v1/billing/plans' }] });
    const pass = fixed.p99ms < 10 && fixed.requestsPerSecond >= args.rate * 0.98 && fixed.non2xx === 0;
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
