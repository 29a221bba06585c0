/**
 * Sustained accepted Stripe webhooks per second and latency through real HTTP, for the real
 * endpoint (src/server.ts: Hono, request logging, verification, organization lookup, inbox) beside
 * a bare "verify + insert" server measured in the same run. Each server runs on its own process
 * so the load generator never shares its event loop. Not a test: it prints figures.
 *
 * The webhook relay runs during every endpoint scenario, where the configuration puts it:
 * `--relay worker` (default, as deployed with WEBHOOK_RELAY=worker) runs it in a worker-like process
 * of its own (bench/webhooks-relay-process.ts: the worker's relay, nothing else of the worker) at
 * `--relay-nice` (default 10): in a deployment the worker has CPUs of its own; on this shared box it
 * is a background consumer and the endpoint gets the CPU first (0 = equal priority);
 * `--relay none` runs no relay (the endpoint alone: how much of the gap to the baseline is the relay
 * sharing the two cores; the stored events stay pending until the bench removes them);
 * `--relay api` runs it inside src/server.ts, nudged by each insert (WEBHOOK_RELAY=api). Either way
 * it claims, parses, mirrors (invoices, payment methods), signals Temporal (the bench organizations
 * have no workflow, so each signal is a real RPC answered "not found" and the event is marked
 * ignored) and marks every stored event, sharing the machine with the endpoint. The endpoint's
 * figures are accepted (2xx, row committed) deliveries; the relay's are reported on their own
 * lines from the inbox: events it settled during each scenario, the backlog left at its end, how
 * long the backlog took to drain afterwards, and the store → settled lag. The baseline runs
 * without a relay (its rows are removed before the endpoint scenarios).
 *   npx tsx bench/webhooks.ts [--seconds 12] [--rate 1500] [--relay worker|api|none] [--relay-nice 10] [--profile DIR]
 * Needs the local stack (npm run setup). Writes bench events into DATABASE_URL and removes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import Stripe from 'stripe';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { dyingWithParent, freePort, waitForHttp } from '../tools/support/processes';
import { invoiceObject, paymentMethodObject, stripeEvent, subscriptionObject } from '../test/fixtures/stripe-events';

const args = z
  .object({
    seconds: z.coerce.number().int().min(5).max(60).default(12),
    rate: z.coerce.number().int().min(100).max(20_000).default(1_500),
    profile: z.string().min(1).optional(),
    relay: z.enum(['worker', 'api', 'none']).default('worker'),
    'relay-nice': z.coerce.number().int().min(0).max(19).default(10),
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
    stripeEvent(
      'invoice.paid',
      invoiceObject({ customer, subscription: `sub_${run}_${i}`, organizationId: withOrg, status: 'paid' }),
    ),
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

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds so far of each Postgres backend serving `applicationName` in this database (by pid; a backend that exits between two samples is lost). */
async function backendCpu(applicationName: string): Promise<Map<number, number>> {
  const { rows } = await sql<{
    pid: number;
  }>`select pid from pg_stat_activity where application_name = ${applicationName} and datname = current_database()`.execute(
    db,
  );
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
}

function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

const loadAverage = () =>
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;

/** The Postgres backends of each process, told apart by application_name (CPU per delivery below). */
const PG_APP = { baseline: 'bench-webhooks-baseline', api: 'billing-api', relay: 'bench-webhooks-relay' } as const;

async function load(
  title: string,
  url: string,
  opts: Partial<autocannon.Options> & { duration: number },
  server?: ChildProcess,
  pgApp?: string,
) {
  const cpuBefore = cpuSeconds(server?.pid);
  const pgBefore = pgApp ? await backendCpu(pgApp) : new Map<number, number>();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    ...opts,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/billing/webhooks/stripe',
        setupRequest: (req) => ({ ...req, ...nextDelivery() }),
      },
    ],
  });
  const line = {
    scenario: title,
    acceptedPerSecond: Math.round(result['2xx'] / result.duration),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMsPerAccepted:
      Math.round(((cpuSeconds(server?.pid) - cpuBefore) * 1e6) / Math.max(1, result['2xx'])) / 1e3,
    postgresCpuMsPerAccepted: pgApp
      ? Math.round((cpuSince(pgBefore, await backendCpu(pgApp)) * 1e6) / Math.max(1, result['2xx'])) / 1e3
      : null,
    loadAverage1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
  console.log(JSON.stringify(line));
  return line;
}

function spawnEntry(entry: string, env: Record<string, string>): ChildProcess {
  const profiling = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
  return spawn(...dyingWithParent(process.execPath, [...profiling, '--import', 'tsx', entry]), {
    env: { ...process.env, STRIPE_WEBHOOK_SECRET: SECRET, DATABASE_POOL_MAX: POOL, NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function serve(entry: string, extraEnv: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawnEntry(entry, { PORT: String(port), ...extraEnv });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`).catch(() => undefined);
  return { url, child };
}

/** The bench's events in the inbox: settled by the relay (relayed or ignored) and still pending. */
async function inbox(relayProcess?: ChildProcess): Promise<InboxSample> {
  const { rows } = await sql<{ settled: string; pending: string }>`
    select count(*) filter (where relay_status <> 'pending') as settled, count(*) filter (where relay_status = 'pending') as pending
    from stripe_events where id like ${`evt_${run}_%`}`.execute(db);
  const relayPg = args.relay === 'worker' ? await backendCpu(PG_APP.relay) : new Map<number, number>();
  return {
    at: Date.now(),
    settled: Number(rows[0]?.settled ?? 0),
    pending: Number(rows[0]?.pending ?? 0),
    relayCpu: cpuSeconds(relayProcess?.pid),
    relayPg,
  };
}

type InboxSample = { at: number; settled: number; pending: number; relayCpu: number; relayPg: Map<number, number> };

function relayLine(title: string, before: InboxSample, after: InboxSample) {
  const settled = after.settled - before.settled;
  const line = {
    scenario: `relay (${args.relay === 'api' ? 'inside src/server.ts' : 'worker-like process'}) during ${title}`,
    settledPerSecond: Math.round(settled / ((after.at - before.at) / 1000)),
    backlogAtEnd: after.pending,
    ...(args.relay === 'worker'
      ? {
          relayCpuMsPerSettled: Math.round(((after.relayCpu - before.relayCpu) * 1e6) / Math.max(1, settled)) / 1e3,
          relayPostgresCpuMsPerSettled:
            Math.round((cpuSince(before.relayPg, after.relayPg) * 1e6) / Math.max(1, settled)) / 1e3,
        }
      : {}),
  };
  console.log(JSON.stringify(line));
  return line;
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
    .values(
      Array.from({ length: ORGS }, (_, i) => ({
        organization_id: `${run}_org_${i}`,
        stripe_customer_id: `cus_${run}_${i}`,
        stripe_test_clock_id: null,
        email: null,
      })),
    )
    .execute();
  const duration = args.seconds;
  try {
    console.log(
      `# ${duration}s per scenario, ${CONNECTIONS} keep-alive connections, pool of ${POOL}, loopback, each server on its own process; ` +
        `webhook relay during the endpoint scenarios: ${
          {
            api: 'inside src/server.ts (WEBHOOK_RELAY=api)',
            worker: `a worker-like process of its own at nice ${args['relay-nice']} (WEBHOOK_RELAY=worker)`,
            none: 'none (--relay none: the endpoint alone)',
          }[args.relay]
        }; ` +
        `${os.cpus().length} cores, ${loadAverage()} (the load generator, Postgres, Temporal and anything else running share them)`,
    );
    const baseline = await serve(path.join(__dirname, 'webhooks-baseline-server.ts'), {});
    await new Promise((r) => setTimeout(r, 1_000));
    let bare;
    try {
      await load('warm-up (baseline)', baseline.url, { duration: 3 });
      bare = await load(
        'baseline: bare node:http, verify + insert, max throughput',
        baseline.url,
        { duration },
        baseline.child,
        PG_APP.baseline,
      );
    } finally {
      await stop(baseline.child);
    }
    // The baseline's rows name no organization and would only be relay work the endpoint never caused.
    await sql`delete from stripe_events where id like ${`evt_${run}_%`}`.execute(db);
    const api = await serve(path.join(__dirname, '../src/server.ts'), {
      LOG_LEVEL: 'info',
      WEBHOOK_RELAY: args.relay === 'api' ? 'api' : 'worker',
    });
    const relay =
      args.relay === 'worker'
        ? spawnEntry(path.join(__dirname, 'webhooks-relay-process.ts'), { LOG_LEVEL: 'info', WEBHOOK_RELAY: 'worker' })
        : undefined;
    // A background consumer on a shared host: the endpoint (and the 2xx Stripe waits for) gets the CPU first.
    if (relay?.pid !== undefined) os.setPriority(relay.pid, args['relay-nice']);
    let full;
    let fixed;
    let drain;
    try {
      await load('warm-up (endpoint)', api.url, { duration: 3 });
      const t0 = await inbox(relay);
      full = await load(
        'POST /webhooks/stripe (src/server.ts, request logging on), max throughput',
        api.url,
        { duration },
        api.child,
        PG_APP.api,
      );
      const t1 = await inbox(relay);
      if (args.relay !== 'none') relayLine('max throughput', t0, t1);
      fixed = await load(
        `POST /webhooks/stripe at a fixed ${args.rate}/s`,
        api.url,
        { duration, overallRate: args.rate },
        api.child,
        PG_APP.api,
      );
      const t2 = await inbox(relay);
      if (args.relay !== 'none') relayLine(`fixed ${args.rate}/s`, t1, t2);
      // Then the relay alone: how long the backlog the bursts left takes to drain (bounded wait).
      let t3 = t2;
      while (args.relay !== 'none' && t3.pending > 0 && Date.now() - t2.at < 120_000) {
        await new Promise((r) => setTimeout(r, 500));
        t3 = await inbox(relay);
      }
      const lag = await sql<{ p50: number; p99: number }>`
        select percentile_cont(0.5) within group (order by extract(epoch from relayed_at - received_at)) as p50,
               percentile_cont(0.99) within group (order by extract(epoch from relayed_at - received_at)) as p99
        from stripe_events where id like ${`evt_${run}_%`} and relayed_at is not null and received_at >= ${new Date(t1.at)}`.execute(
        db,
      );
      drain = {
        scenario: 'relay after the load: backlog drained',
        drainSeconds: Math.round((t3.at - t2.at) / 100) / 10,
        leftPending: t3.pending,
        settledPerSecondOverall: Math.round((t3.settled - t0.settled) / ((t3.at - t0.at) / 1000)),
        lagFixedRateP50s: Math.round(Number(lag.rows[0]?.p50 ?? 0) * 100) / 100,
        lagFixedRateP99s: Math.round(Number(lag.rows[0]?.p99 ?? 0) * 100) / 100,
      };
      if (args.relay !== 'none') console.log(JSON.stringify(drain));
    } finally {
      await stop(api.child);
      if (relay) await stop(relay);
    }
    const ratio = full.acceptedPerSecond / Math.max(1, bare.acceptedPerSecond);
    console.log(
      `endpoint ${full.acceptedPerSecond}/s = ${(ratio * 100).toFixed(0)} % of baseline ${bare.acceptedPerSecond}/s; ` +
        `p99 at ${args.rate}/s: ${fixed.p99ms} ms (${fixed.acceptedPerSecond}/s accepted); ` +
        (args.relay === 'none'
          ? 'no relay ran (--relay none: the endpoint alone, its events left pending and removed at the end)'
          : `relay (${args.relay}) settled ${drain.settledPerSecondOverall}/s overall, backlog drained ${drain.leftPending === 0 ? `${drain.drainSeconds} s` : `NOT within 120 s (${drain.leftPending} left)`} after the load`),
    );
    const met =
      full.acceptedPerSecond >= 1_500 &&
      fixed.p99ms < 25 &&
      fixed.acceptedPerSecond >= args.rate * 0.98 &&
      ratio >= 0.6;
    console.log(`# ${loadAverage()} at the end`);
    console.log(
      `targets (>= 1500/s, p99 < 25 ms at ${args.rate}/s, >= 60 % of baseline), relay: ${args.relay}: ${met ? 'met' : 'NOT met'}`,
    );
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
