/**
 * Sustained accepted Stripe webhooks per second and latency through real HTTP, for the real
 * endpoint (src/server.ts: Hono, request logging, verification, organization lookup, inbox) beside
 * a bare "verify + insert" server measured in the same run. Each server runs on its own process
 * so the load generator never shares its event loop. Not a test: it prints figures.
 *   npx tsx bench/webhooks.ts [--seconds 12] [--rate 1500]
 * Needs the local stack (npm run setup). Writes bench events into DATABASE_URL and removes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { freePort, waitForHttp } from '../test/helpers/processes';
import { invoiceObject, paymentMethodObject, stripeEvent, subscriptionObject } from '../test/fixtures/stripe-events';

const args = z
  .object({
    seconds: z.coerce.number().int().min(5).max(60).default(12),
    rate: z.coerce.number().int().min(100).max(20_000).default(1_500),
    profile: z.string().min(1).optional(),
  })
  .parse(Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((kv) => kv.trim().split(/\s+/))));

const SECRET = 'whsec_bench_0123456789abcdef';
const ORGS = 200;
const run = `bench${Date.now().toString(36)}`;
const config = loadConfig();
const db = createDb({ url: config.database.url });
const CONNECTIONS = 16;
// Both servers get the same pool; more concurrent commits let Postgres group them into fewer WAL flushes.
const POOL = '20';

/** Representative deliveries (a few KB each, like Stripe's); half name their organization in metadata, half need the customer lookup. */
const templates = Array.from({ length: ORGS }, (_, i) => {
  const org = `${run}_org_${i}`;
  const customer = `cus_${run}_${i}`;
  const withOrg = i % 2 === 0 ? org : undefined;
  return [
    stripeEvent('customer.subscription.updated', subscriptionObject({ customer, organizationId: withOrg })),
    stripeEvent('invoice.paid', invoiceObject({ customer, subscription: `sub_${run}_${i}`, organizationId: withOrg, status: 'paid' })),
    stripeEvent('payment_method.attached', paymentMethodObject({ customer })),
  ].map((e) => JSON.stringify({ ...e, id: '__ID__' }));
}).flat();

let sequence = 0;
function nextDelivery(): { body: string; headers: Record<string, string> } {
  const template = templates[sequence % templates.length] ?? '';
  const body = template.replace('__ID__', `evt_${run}_${sequence++}`);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: SECRET });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
}

async function load(title: string, url: string, opts: Partial<autocannon.Options> & { duration: number }) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...opts,
    requests: [{ method: 'POST', path: '/api/v1/billing/webhooks/stripe', setupRequest: (req) => ({ ...req, ...nextDelivery() }) }],
  });
  const line = {
    scenario: title,
    acceptedPerSecond: Math.round(result['2xx'] / result.duration),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(JSON.stringify(line));
  return line;
}

async function serve(entry: string, extraEnv: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const profiling = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', entry], {
    env: { ...process.env, PORT: String(port), STRIPE_WEBHOOK_SECRET: SECRET, DATABASE_POOL_MAX: POOL, NODE_ENV: 'development', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`).catch(() => undefined);
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function main() {
  await migrateToLatest(db);
  await db
    .insertInto('billing_customers')
    .values(Array.from({ length: ORGS }, (_, i) => ({ organization_id: `${run}_org_${i}`, stripe_customer_id: `cus_${run}_${i}`, stripe_test_clock_id: null, email: null })))
    .execute();
  const duration = args.seconds;
  try {
    console.log(`# ${duration}s per scenario, ${CONNECTIONS} keep-alive connections, pool of ${POOL}, loopback, each server on its own process`);
    const baseline = await serve(path.join(__dirname, 'webhooks-baseline-server.ts'), {});
    await new Promise((r) => setTimeout(r, 1_000));
    let bare;
    try {
      await load('warm-up (baseline)', baseline.url, { duration: 3 });
      bare = await load('baseline: bare node:http, verify + insert, max throughput', baseline.url, { duration });
    } finally {
      await stop(baseline.child);
    }
    const api = await serve(path.join(__dirname, '../src/server.ts'), { LOG_LEVEL: 'info' });
    let full;
    let fixed;
    try {
      await load('warm-up (endpoint)', api.url, { duration: 3 });
      full = await load('POST /webhooks/stripe (src/server.ts, request logging on), max throughput', api.url, { duration });
      fixed = await load(`POST /webhooks/stripe at a fixed ${args.rate}/s`, api.url, { duration, overallRate: args.rate });
    } finally {
      await stop(api.child);
    }
    const ratio = full.acceptedPerSecond / Math.max(1, bare.acceptedPerSecond);
    console.log(
      `endpoint ${full.acceptedPerSecond}/s = ${(ratio * 100).toFixed(0)} % of baseline ${bare.acceptedPerSecond}/s; ` +
        `p99 at ${args.rate}/s: ${fixed.p99ms} ms (${fixed.acceptedPerSecond}/s accepted)`,
    );
    const met = full.acceptedPerSecond >= 1_500 && fixed.p99ms < 25 && fixed.acceptedPerSecond >= args.rate * 0.98 && ratio >= 0.6;
    console.log(`targets (>= 1500/s, p99 < 25 ms at ${args.rate}/s, >= 60 % of baseline): ${met ? 'met' : 'NOT met'}`);
  } finally {
    await sql`delete from stripe_events where id like ${`evt_${run}_%`}`.execute(db);
    await db.deleteFrom('billing_customers').where('organization_id', 'like', `${run}_%`).execute();
    await db.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
