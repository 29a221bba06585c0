/**
 * Usage ingestion and entitlement checks through real HTTP (src/server.ts on its own process), beside
 * a bare batched insert into the same kind of table (the monthly-partitioned raw event table, batches
 * of 100 through unnest, same pool size and concurrency) measured in the same run. Not a test: it
 * prints figures.   npx tsx bench/usage.ts [--seconds 12] [--profile DIR]
 * Needs the local stack (Postgres). Runs in a throw-away schema of DATABASE_URL, dropped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { ensureUsagePartitions } from '../src/usage/partitions';
import { freePort, waitForHttp } from '../test/helpers/processes';

const args = z
  .object({ seconds: z.coerce.number().int().min(5).max(30).default(12), profile: z.string().min(1).optional() })
  .parse(Object.fromEntries(process.argv.slice(2).join(' ').split('--').filter(Boolean).map((kv) => kv.trim().split(/\s+/))));

const TOKEN = 'svc_bench_token_0123456789abcdef';
const BATCH = 100;
const ORGS = 500;
const CONNECTIONS = 16;
const POOL = 20;
const CHECK_RATE = 5_000;
const run = `bench_usage_${Date.now().toString(36)}`;
const baseUrl = loadConfig().database.url;
// application_name tells this run's Postgres backends apart (CPU per event below).
const schemaUrl = `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${run}`)}&application_name=${run}_api`;
const admin = createDb({ url: baseUrl, poolMax: 1 });
const db = createDb({ url: baseUrl, searchPath: run, poolMax: POOL, applicationName: `${run}_bare` });
const METRICS = ['messages', 'api_calls', 'messages', 'storage'] as const;

let sequence = 0;
/** A producer's batch: 100 fresh events for a handful of organizations, as one service flushes them. */
function batchBody(): string {
  const now = Date.now();
  const firstOrg = Math.floor(Math.random() * ORGS);
  const events = Array.from({ length: BATCH }, (_, i) => ({
    id: `${run}-${sequence++}`,
    organizationId: `org_${(firstOrg + (i % 10)) % ORGS}`,
    metric: METRICS[i % METRICS.length],
    quantity: 1 + (i % 5),
    timestamp: new Date(now - (i % 60) * 1_000).toISOString(),
  }));
  return JSON.stringify({ events });
}

async function load(title: string, url: string, opts: Partial<autocannon.Options> & { duration: number }, eventsPerRequest: number) {
  const result = await autocannon({ url, connections: CONNECTIONS, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...opts });
  const line = {
    scenario: title,
    requestsPerSecond: Math.round(result['2xx'] / result.duration),
    eventsPerSecond: Math.round((result['2xx'] * eventsPerRequest) / result.duration),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(JSON.stringify(line));
  return line;
}

/** The baseline: the same batches inserted straight into a partitioned table, no HTTP, no aggregates. */
async function bareInsert(seconds: number): Promise<number> {
  await sql`create table baseline_events (like usage_events including defaults) partition by range (occurred_at)`.execute(db);
  const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
  const prev = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1));
  await sql`create table baseline_events_prev partition of baseline_events for values from (${sql.lit(prev.toISOString())}) to (${sql.lit(month.toISOString())})`.execute(db);
  await sql`create table baseline_events_now partition of baseline_events for values from (${sql.lit(month.toISOString())}) to (${sql.lit(next.toISOString())})`.execute(db);
  const deadline = Date.now() + seconds * 1_000;
  let rows = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (Date.now() < deadline) {
      const { events } = JSON.parse(batchBody()) as { events: { id: string; organizationId: string; metric: string; quantity: number; timestamp: string }[] };
      await sql`insert into baseline_events (event_id, organization_id, metric, quantity, occurred_at, period_start)
        select * from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.organizationId)}::text[], ${events.map((e) => e.metric)}::text[],
          ${events.map((e) => e.quantity)}::bigint[], ${events.map((e) => e.timestamp)}::timestamptz[], ${events.map(() => month.toISOString())}::timestamptz[])`.execute(db);
      rows += events.length;
    }
  }));
  const perSecond = Math.round(rows / seconds);
  console.log(JSON.stringify({ scenario: 'baseline: bare batched insert (unnest, 100 rows) into a partitioned table', eventsPerSecond: perSecond }));
  return perSecond;
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux); 0 when unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU per 1,000 events while `work` runs: of the given process (the API server, or this process for the
 * baseline) and of this run's Postgres backends (by application_name). On a shared machine these are
 * steadier than events per second.
 */
async function cpuPerThousand<T extends { events: number }>(label: string, pid: number, applicationName: string, work: () => Promise<T>): Promise<T> {
  const backends = async () => (await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${applicationName}`.execute(admin)).rows.map((r) => r.pid);
  const before = new Map((await backends()).map((p) => [p, cpuSeconds(p)]));
  const process0 = cpuSeconds(pid);
  const result = await work();
  const pg = (await backends()).reduce((sum, p) => sum + cpuSeconds(p) - (before.get(p) ?? 0), 0);
  const proc = cpuSeconds(pid) - process0;
  const per = (s: number) => Number(((s * 1_000) / Math.max(1, result.events) * 1_000).toFixed(1));
  console.log(JSON.stringify({ scenario: `${label}: CPU per 1,000 events`, processMs: per(proc), postgresMs: per(pg), events: result.events }));
  return result;
}

async function serveApi(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // --profile DIR: a V8 CPU profile of the server (written when it exits), e.g. for speedscope or Chrome DevTools.
  const profiling = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
  const child = spawn(process.execPath, [...profiling, '--import', 'tsx', path.join(__dirname, '../src/server.ts')], {
    env: { ...process.env, PORT: String(port), DATABASE_URL: schemaUrl, DATABASE_POOL_MAX: String(POOL), USAGE_SERVICE_TOKENS: TOKEN, NODE_ENV: 'development', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`).catch(() => undefined);
  return { url, child };
}

async function main() {
  await sql`create schema ${sql.id(run)}`.execute(admin);
  const api = await (async () => {
    await migrateToLatest(db, run);
    await ensureUsagePartitions(db, [Date.now(), Date.now() - 35 * 86_400_000]);
    return serveApi();
  })();
  try {
    const seconds = args.seconds;
    console.log(`# ${seconds}s per scenario, ${CONNECTIONS} keep-alive connections, pool of ${POOL}, batches of ${BATCH}, ${ORGS} organizations, loopback`);
    const ingest = { method: 'POST' as const, path: '/api/v1/billing/usage/events', setupRequest: (req: autocannon.Request) => ({ ...req, body: batchBody() }) };
    await load('warm-up (ingestion)', api.url, { duration: 3, requests: [ingest] }, BATCH);
    const http = await cpuPerThousand('ingestion (API server)', api.child.pid ?? 0, `${run}_api`, async () => {
      const line = await load('POST /usage/events (src/server.ts), batches of 100', api.url, { duration: seconds, requests: [ingest] }, BATCH);
      return { ...line, events: line.eventsPerSecond * seconds };
    });
    const { perSecond: bare } = await cpuPerThousand('baseline (this process)', process.pid, `${run}_bare`, async () => {
      const perSecond = await bareInsert(seconds);
      return { perSecond, events: perSecond * seconds };
    });
    let n = 0;
    const check = {
      method: 'POST' as const,
      path: '/api/v1/billing/entitlements/check',
      setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ organizationId: `org_${n++ % ORGS}`, metric: n % 2 ? 'messages' : 'agents', quantity: 1 }) }),
    };
    await load('warm-up (checks)', api.url, { duration: 2, requests: [check] }, 1);
    const maxChecks = await load('POST /entitlements/check, max throughput', api.url, { duration: 8, requests: [check] }, 1);
    const fixed = await load(`POST /entitlements/check at a fixed ${CHECK_RATE}/s`, api.url, { duration: 8, overallRate: CHECK_RATE, requests: [check] }, 1);
    const ratio = http.eventsPerSecond / Math.max(1, bare);
    console.log(`ingestion ${http.eventsPerSecond} events/s = ${(ratio * 100).toFixed(0)} % of the bare insert's ${bare}/s (target >= 30000/s and >= 60 %)`);
    console.log(`checks: ${maxChecks.requestsPerSecond}/s max; at ${CHECK_RATE}/s: ${fixed.requestsPerSecond}/s served, p99 ${fixed.p99ms} ms (target >= 5000/s, p99 < 10 ms)`);
    const met = http.eventsPerSecond >= 30_000 && ratio >= 0.6 && fixed.requestsPerSecond >= CHECK_RATE * 0.98 && fixed.p99ms < 10;
    console.log(`targets: ${met ? 'met' : 'NOT met'}`);
  } finally {
    await new Promise<void>((resolve) => {
      api.child.once('exit', () => resolve());
      api.child.kill('SIGTERM');
    });
    await db.destroy();
    await sql`drop schema ${sql.id(run)} cascade`.execute(admin);
    await admin.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
