/**
 * Usage ingestion and entitlement checks through real HTTP (src/server.ts on its own process), beside
 * bare batched inserts of the same batches (100 events through unnest, same concurrency, no HTTP)
 * measured in the same run. Not a test: it prints figures.
 *   npx tsx bench/usage.ts [--seconds 12] [--profile DIR]
 * Needs the local stack (Postgres). Runs in a throw-away schema of DATABASE_URL, dropped at the end.
 *
 * Two baselines, both printed. The target (issue #8: ≥ 60 % of "a bare batched insert into the same kind
 * of table") is judged against the first:
 * - "with keys": each batch's ids into a copy of the dedupe ledger (usage_event_keys, its primary key on
 *   (organization_id, event_id) since 2026-12-05) and its rows into a copy of the monthly-partitioned raw table,
 *   one statement, plain inserts. Every event id must count once forever per organization, so any honest ingestion path maintains that unique
 *   key; this is the same rows into the same kind of tables with their keys, and nothing else (no
 *   conflict handling, no aggregates, no alerts, no HTTP, no validation).
 * - "index-free": the rows into the partitioned raw table alone (no unique key anywhere). This was the
 *   only baseline until 2026-12-02; it stays printed, labelled, so the earlier figures stay comparable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { z } from 'zod';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { ensureUsagePartitions } from '../src/usage/partitions';
import { dyingWithParent, freePort, waitForHttp } from '../tools/support/processes';

const args = z
  .object({ seconds: z.coerce.number().int().min(5).max(30).default(12), profile: z.string().min(1).optional() })
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
/** The 1-minute load average, printed beside every figure: this machine is shared with other sessions. */
const loadAverage = (): number => Number((loadavg()[0] ?? 0).toFixed(2));
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

async function load(
  title: string,
  url: string,
  opts: Partial<autocannon.Options> & { duration: number },
  eventsPerRequest: number,
) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...opts,
  });
  const line = {
    scenario: title,
    requestsPerSecond: Math.round(result['2xx'] / result.duration),
    eventsPerSecond: Math.round((result['2xx'] * eventsPerRequest) / result.duration),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    loadAverage: loadAverage(),
  };
  console.log(JSON.stringify(line));
  return line;
}

function currentMonths(): { prev: Date; month: Date; next: Date } {
  const month = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
  return {
    prev: new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1)),
    month,
    next: new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1)),
  };
}

/** A copy of the partitioned raw table (no rows, no indexes: usage_events has none) with this and last month's partitions. */
async function createRawCopy(name: string): Promise<void> {
  const { prev, month, next } = currentMonths();
  await sql`create table ${sql.id(name)} (like usage_events including defaults) partition by range (occurred_at)`.execute(
    db,
  );
  await sql`create table ${sql.id(`${name}_prev`)} partition of ${sql.id(name)} for values from (${sql.lit(prev.toISOString())}) to (${sql.lit(month.toISOString())})`.execute(
    db,
  );
  await sql`create table ${sql.id(`${name}_now`)} partition of ${sql.id(name)} for values from (${sql.lit(month.toISOString())}) to (${sql.lit(next.toISOString())})`.execute(
    db,
  );
}

type BaselineEvent = { id: string; organizationId: string; metric: string; quantity: number; timestamp: string };

/** The same batches, parsed like a server would, inserted by CONNECTIONS concurrent loops for `seconds`. */
async function bareInsert(
  title: string,
  seconds: number,
  insert: (events: BaselineEvent[], periodStart: string) => Promise<unknown>,
): Promise<number> {
  const periodStart = currentMonths().month.toISOString();
  const deadline = Date.now() + seconds * 1_000;
  let rows = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        const { events } = JSON.parse(batchBody()) as { events: BaselineEvent[] };
        await insert(events, periodStart);
        rows += events.length;
      }
    }),
  );
  const perSecond = Math.round(rows / seconds);
  console.log(
    JSON.stringify({ scenario: `baseline ${title}`, eventsPerSecond: perSecond, loadAverage: loadAverage() }),
  );
  return perSecond;
}

const rawColumns = (
  events: BaselineEvent[],
  periodStart: string,
) => sql`select * from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.organizationId)}::text[],
  ${events.map((e) => e.metric)}::text[], ${events.map((e) => e.quantity)}::bigint[], ${events.map((e) => e.timestamp)}::timestamptz[], ${events.map(() => periodStart)}::timestamptz[])`;

/** Baseline with keys: the ledger's ids (its unique key, copied with the table) and the raw rows, one plain statement per batch. */
async function bareInsertWithKeys(seconds: number): Promise<number> {
  await sql`create table baseline_event_keys (like usage_event_keys including all)`.execute(db);
  await createRawCopy('baseline_keyed_events');
  return bareInsert(
    'with keys: bare batched insert (unnest, 100 rows) into the ledger (unique organization_id, event_id) + the partitioned raw table',
    seconds,
    (events, periodStart) =>
      sql`
    with keys as (insert into baseline_event_keys (event_id, organization_id) select * from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.organizationId)}::text[]))
    insert into baseline_keyed_events (event_id, organization_id, metric, quantity, occurred_at, period_start) ${rawColumns(events, periodStart)}`.execute(
        db,
      ),
  );
}

/** The earlier, index-free baseline: the raw rows alone into a partitioned table with no unique key. */
async function bareInsertIndexFree(seconds: number): Promise<number> {
  await createRawCopy('baseline_events');
  return bareInsert(
    'index-free (old): bare batched insert (unnest, 100 rows) into a partitioned table, no unique key',
    seconds,
    (events, periodStart) =>
      sql`
    insert into baseline_events (event_id, organization_id, metric, quantity, occurred_at, period_start) ${rawColumns(events, periodStart)}`.execute(
        db,
      ),
  );
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux); 0 when unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
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
async function cpuPerThousand<T extends { events: number }>(
  label: string,
  pid: number,
  applicationName: string,
  work: () => Promise<T>,
): Promise<T> {
  const backends = async () =>
    (
      await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${applicationName}`.execute(
        admin,
      )
    ).rows.map((r) => r.pid);
  const before = new Map((await backends()).map((p) => [p, cpuSeconds(p)]));
  const process0 = cpuSeconds(pid);
  const result = await work();
  const pg = (await backends()).reduce((sum, p) => sum + cpuSeconds(p) - (before.get(p) ?? 0), 0);
  const proc = cpuSeconds(pid) - process0;
  const per = (s: number) => Number((((s * 1_000) / Math.max(1, result.events)) * 1_000).toFixed(1));
  console.log(
    JSON.stringify({
      scenario: `${label}: CPU per 1,000 events`,
      processMs: per(proc),
      postgresMs: per(pg),
      events: result.events,
      loadAverage: loadAverage(),
    }),
  );
  return result;
}

async function serveApi(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // --profile DIR: a V8 CPU profile of the server (written when it exits), e.g. for speedscope or Chrome DevTools.
  const profiling = args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile)] : [];
  const child = spawn(
    ...dyingWithParent(process.execPath, [...profiling, '--import', 'tsx', path.join(__dirname, '../src/server.ts')]),
    {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: schemaUrl,
        DATABASE_POOL_MAX: String(POOL),
        USAGE_SERVICE_TOKENS: TOKEN,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
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
    console.log(
      `# ${seconds}s per scenario, ${CONNECTIONS} keep-alive connections, pool of ${POOL}, batches of ${BATCH}, ${ORGS} organizations, loopback`,
    );
    const ingest = {
      method: 'POST' as const,
      path: '/api/v1/billing/usage/events',
      setupRequest: (req: autocannon.Request) => ({ ...req, body: batchBody() }),
    };
    await load('warm-up (ingestion)', api.url, { duration: 3, requests: [ingest] }, BATCH);
    const http = await cpuPerThousand('ingestion (API server)', api.child.pid ?? 0, `${run}_api`, async () => {
      const line = await load(
        'POST /usage/events (src/server.ts), batches of 100',
        api.url,
        { duration: seconds, requests: [ingest] },
        BATCH,
      );
      return { ...line, events: line.eventsPerSecond * seconds };
    });
    const { perSecond: keyed } = await cpuPerThousand(
      'baseline with keys (this process)',
      process.pid,
      `${run}_bare`,
      async () => {
        const perSecond = await bareInsertWithKeys(seconds);
        return { perSecond, events: perSecond * seconds };
      },
    );
    const { perSecond: indexFree } = await cpuPerThousand(
      'baseline index-free, old (this process)',
      process.pid,
      `${run}_bare`,
      async () => {
        const perSecond = await bareInsertIndexFree(seconds);
        return { perSecond, events: perSecond * seconds };
      },
    );
    let n = 0;
    const check = {
      method: 'POST' as const,
      path: '/api/v1/billing/entitlements/check',
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        body: JSON.stringify({
          organizationId: `org_${n++ % ORGS}`,
          metric: n % 2 ? 'messages' : 'agents',
          quantity: 1,
        }),
      }),
    };
    await load('warm-up (checks)', api.url, { duration: 2, requests: [check] }, 1);
    const maxChecks = await load(
      'POST /entitlements/check, max throughput',
      api.url,
      { duration: 8, requests: [check] },
      1,
    );
    const fixed = await load(
      `POST /entitlements/check at a fixed ${CHECK_RATE}/s`,
      api.url,
      { duration: 8, overallRate: CHECK_RATE, requests: [check] },
      1,
    );
    const ratio = http.eventsPerSecond / Math.max(1, keyed);
    console.log(
      `ingestion ${http.eventsPerSecond} events/s = ${(ratio * 100).toFixed(0)} % of the bare insert with keys (${keyed}/s) (target >= 30000/s and >= 60 %)`,
    );
    console.log(
      `  and ${((http.eventsPerSecond / Math.max(1, indexFree)) * 100).toFixed(0)} % of the old index-free bare insert (${indexFree}/s)`,
    );
    console.log(
      `checks: ${maxChecks.requestsPerSecond}/s max; at ${CHECK_RATE}/s: ${fixed.requestsPerSecond}/s served, p99 ${fixed.p99ms} ms (target >= 5000/s, p99 < 10 ms)`,
    );
    const met =
      http.eventsPerSecond >= 30_000 &&
      ratio >= 0.6 &&
      fixed.requestsPerSecond >= CHECK_RATE * 0.98 &&
      fixed.p99ms < 10;
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
