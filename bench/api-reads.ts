/**
 * GET /subscription and GET /plans throughput and latency through real HTTP against a separate API
 * process (so the load generator does not share its event loop). Not a test: it prints figures.
 * Latency at a fixed rate comes from an open-loop generator (./open-loop); maximum throughput from
 * autocannon (closed loop, 50 connections).
 *   npx tsx bench/api-reads.ts [--seconds 20] [--rate 2000] [--profile DIR]
 * Needs the local stack (npm run setup). Seeds bench organizations into DATABASE_URL and removes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { signUserToken } from '../tools/demo/tokens';
import { dyingWithParent, freePort, waitForHttp } from '../tools/support/processes';
import { runOpenLoop } from './open-loop';

const args = z
  .object({
    seconds: z.coerce.number().int().min(5).max(120).default(20),
    rate: z.coerce.number().int().min(100).max(20_000).default(2_000),
    profile: z.string().min(1).optional(),
  })
  .parse(
    Object.fromEntries(
      process.argv
        .slice(2)
        .join(' ')
        .split('--')
        .filter(Boolean)
        .map((kv) => kv.trim().split(/\s+/)),
    ),
  );

const ORGS = 1_000;
const config = loadConfig();
const db = createDb({ url: config.database.url });

/** The API process's CPU seconds so far, from its own /metrics (prom-client's process collector). */
async function apiCpuSeconds(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text)?.[1] ?? NaN);
}

/** Prints one JSON line per scenario with the API's CPU per request (less sensitive to other load than latency). */
async function scenario<R extends { completed: number }>(
  url: string,
  title: string,
  measure: () => Promise<R>,
): Promise<R> {
  const cpuBefore = await apiCpuSeconds(url);
  const result = await measure();
  const apiCpuMsPerRequest = Math.round((((await apiCpuSeconds(url)) - cpuBefore) * 1e6) / result.completed) / 1e3;
  console.log(JSON.stringify({ scenario: title, ...result, apiCpuMsPerRequest, loadAverage: loadAverage() }));
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

/** `load 1.23 0.98 0.50`: the machine is shared, so every figure is printed beside its load average. */
const loadAverage = () =>
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/**
 * One set-based insert of the read-model rows GET /subscription reads (the `subscriptions` projection a
 * subscribe workflow writes, every column filled as for a live paid subscription), not one subscribe
 * workflow per organization: the bench measures the read path, and 1,000 workflows through Temporal and
 * the simulator would take minutes and measure something else.
 */
async function seed(orgs: string[]): Promise<void> {
  const periodStart = new Date();
  const periodEnd = new Date(periodStart.getTime() + 30 * 86_400_000);
  await db
    .insertInto('subscriptions')
    .values(
      orgs.map((org) => ({
        organization_id: org,
        workflow_id: `subscription:${org}`,
        stripe_customer_id: `cus_${org}`,
        stripe_subscription_id: `sub_${org}`,
        plan: 'starter',
        status: 'active',
        unit_amount: 2900,
        current_period_start: periodStart,
        current_period_end: periodEnd,
        default_payment_method_id: `pm_${org}`,
      })),
    )
    .execute();
}

async function main() {
  const prefix = `bench_${Date.now().toString(36)}`;
  const orgs = Array.from({ length: ORGS }, (_, i) => `${prefix}_${i}`);
  let api: ChildProcess | undefined;
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    if (api && api.exitCode === null) {
      // Waits for it to stop (with --profile, that is when it writes the profile).
      const exited = new Promise((resolve) => api?.once('exit', resolve));
      api.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    }
    await db
      .deleteFrom('subscriptions')
      .where('organization_id', 'like', `${prefix.replaceAll('_', '\\_')}\\_%`)
      .execute();
    await db.destroy();
  };
  // Interrupted (Ctrl-C, a timeout): stop the API and remove the seeded rows all the same.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    const seedStarted = performance.now();
    await seed(orgs);
    // Signed with the secret the spawned API reads (JWT_SECRET or the development default).
    const jwtSecret = config.auth.jwtSecret;
    if (!jwtSecret) throw new Error('the bench signs HS256 tokens: set JWT_SECRET (not JWT_JWKS_URL)');
    const tokens = await Promise.all(
      orgs.map((org) =>
        signUserToken(jwtSecret, { organizationId: org, email: `${org}@bench.example`, role: 'member' }),
      ),
    );
    console.log(
      `# seeded ${ORGS} organizations (one insert into subscriptions) and signed their tokens in ${Math.round(performance.now() - seedStarted)} ms`,
    );

    const port = await freePort();
    // --profile DIR: the API runs under node --cpu-prof and writes DIR/*.cpuprofile when it stops.
    const nodeArgs = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
    api = spawn(
      ...dyingWithParent(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(__dirname, '../src/server.ts')]),
      {
        env: {
          ...process.env,
          PORT: String(port),
          LOG_LEVEL: 'info',
          RATE_LIMIT_PER_MINUTE: '100000000',
          NODE_ENV: 'development',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`);
    // The bench must read what it seeded: a 401 (another JWT_SECRET) or `subscription: null` would measure an error path.
    const probe = await fetch(`${url}/api/v1/billing/subscription`, {
      headers: { authorization: `Bearer ${tokens[0]}` },
    });
    const body = (await probe.json()) as { subscription?: { organizationId?: string } };
    if (probe.status !== 200 || body.subscription?.organizationId !== orgs[0]) {
      throw new Error(`GET /subscription for a seeded organization answered ${probe.status} ${JSON.stringify(body)}`);
    }
    console.log(`# API on :${port}; warming up (5 s)`);
    const subscriptionRequests = tokens.map((t) => ({
      method: 'GET' as const,
      path: '/api/v1/billing/subscription',
      headers: { authorization: `Bearer ${t}` },
    }));
    const plansRequests = [{ method: 'GET' as const, path: '/api/v1/billing/plans' }];
    await maxThroughput({ url, connections: 10, requests: subscriptionRequests, duration: 5 }); // JIT, pool, prepared statements
    console.log(
      `# ${args.seconds}s per scenario, ${ORGS} organizations, API on its own process, request logging on (pino), ${os.cpus().length} cores, ${loadAverage()}`,
    );
    const atRate = (requests: { path: string; headers?: Record<string, string> }[]) => () =>
      runOpenLoop({ url, ratePerSecond: args.rate, seconds: args.seconds, connections: 64, requests });
    const fixed = await scenario(
      url,
      `GET /subscription at a fixed ${args.rate}/s (open loop)`,
      atRate(subscriptionRequests),
    );
    await scenario(url, `GET /plans at a fixed ${args.rate}/s (open loop)`, atRate(plansRequests));
    await scenario(url, 'GET /subscription, max throughput (autocannon, 50 connections)', () =>
      maxThroughput({ url, connections: 50, requests: subscriptionRequests }),
    );
    await scenario(url, 'GET /plans, max throughput (autocannon, 50 connections)', () =>
      maxThroughput({ url, connections: 50, requests: plansRequests }),
    );
    const pass =
      fixed.p99ms < 10 && fixed.completedPerSecond >= args.rate * 0.98 && fixed.non2xx === 0 && fixed.errors === 0;
    console.log(`target (p99 < 10 ms at ${args.rate}/s on GET /subscription): ${pass ? 'met' : 'NOT met'}`);
  } finally {
    await cleanUp();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
