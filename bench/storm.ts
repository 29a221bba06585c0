/**
 * The renewal storm: N live subscriptions on one shared billing anchor (one Stripe test clock for all their
 * customers, frozen while they subscribe), then the clock moved past the anchor at once, as on the 1st of the
 * month. Reports the time until every subscription is settled (cycle invoice paid, read model current, receipt
 * emailed; for the failing-card share: dunning started and the payment-failed email sent), the settle-lag
 * distribution, workflow tasks and their schedule-to-start latency during the storm, worker RSS with a sticky
 * cache smaller than N, the CPU of every process and of the run's Postgres backends, anything lost or duplicated
 * (exit 1 if anything is), and the cost model. Not a test: it prints figures.
 *   npx tsx bench/storm.ts [--subs 5000] [--failing-share 0.05] [--cache-size N/4] [--workflow-task-slots N] [--sticky-queue-timeout S]
 *                          [--concurrency 32] [--settle-timeout 1800] [--action-price USD] [--keep] [--sqlite-pragmas …] [--cpu-prof DIR]
 * Needs Postgres and the project's tools (npm run setup); starts everything else itself on free ports.
 */
import os from 'node:os';
import Stripe from 'stripe';
import { z } from 'zod';
import { insertCustomer } from '../src/db/read-models/customers';
import { ApiCallError, createApiClient } from '../tools/demo/api-client';
import { signUserToken } from '../tools/demo/tokens';
import { parseFlags } from './scale/args';
import { renderCostModel } from './scale/cost-model';
import { pgWritesBetween, readPgWrites, startPgCpuSampler } from './scale/pg-stats';
import { createLimiter } from './scale/population';
import { startSampler, type ProcessSeries } from './scale/sampler';
import { MAIL_SINK_CAPACITY, startScaleStack } from './scale/stack';
import { collectTemporalStats } from './scale/temporal-stats';
import {
  counterDelta,
  formatBound,
  histogramDelta,
  scrapeMetrics,
  type HistogramWindow,
  type MetricsSnapshot,
} from './scale/worker-metrics';
import { checkStorm } from './storm/checks';
import { quantile, waitUntilQuiet, waitUntilSettled, type StormSub } from './storm/settle';

const ArgsSchema = z
  .strictObject({
    subs: z.coerce.number().int().min(2).max(100_000).default(5_000),
    /** The share of subscriptions whose card declines at the renewal (dunning starts inside the storm). */
    'failing-share': z.coerce.number().min(0).max(0.5).default(0.05),
    /** The worker's sticky cache (WORKER_MAX_CACHED_WORKFLOWS); must be smaller than --subs. Default: a quarter of it. */
    'cache-size': z.coerce.number().int().min(1).max(100_000).optional(),
    /**
     * Workflow tasks the worker executes at once (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS); unset, the SDK's default
     * (40). At least 2 (one sticky, one normal poller), at most the sticky cache (the SDK would cut it to that).
     */
    'workflow-task-slots': z.coerce.number().int().min(2).max(1_000).optional(),
    /** How long a workflow task may wait on the worker's sticky queue (WORKER_STICKY_QUEUE_TIMEOUT_MS, in seconds); unset, the SDK's 10 s. */
    'sticky-queue-timeout': z.coerce.number().int().min(1).max(600).optional(),
    /** Subscriptions set up at a time before the storm. */
    concurrency: z.coerce.number().int().min(1).max(500).default(32),
    /** How long the storm may take to settle before the run counts what is left as unsettled (seconds). */
    'settle-timeout': z.coerce.number().int().min(10).max(7_200).default(1_800),
    /** A flat price per million Temporal Cloud Actions instead of the published tiers (USD). */
    'action-price': z.coerce.number().positive().max(10_000).optional(),
    keep: z.literal('true').optional(),
    'sqlite-pragmas': z.string().default('journal_mode=wal,synchronous=normal'),
    'cpu-prof': z.string().min(1).optional(),
  })
  .refine((a) => (a['cache-size'] ?? Math.max(1, Math.floor(a.subs / 4))) < a.subs, {
    message: '--cache-size must be smaller than --subs (the point is a cache that cannot hold every workflow)',
  })
  .refine(
    (a) =>
      a['workflow-task-slots'] === undefined ||
      a['workflow-task-slots'] <= (a['cache-size'] ?? Math.max(1, Math.floor(a.subs / 4))),
    { message: '--workflow-task-slots must not exceed the sticky cache (--cache-size)' },
  );

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const HOUR_MS = 3_600_000;
const RETRY_AFTER_MS = 5_000;

async function main(): Promise<void> {
  const args = parseFlags(ArgsSchema, process.argv.slice(2));
  const cacheSize = args['cache-size'] ?? Math.max(1, Math.floor(args.subs / 4));
  const failingCount = Math.round(args.subs * args['failing-share']);
  const slots = args['workflow-task-slots'];
  const slotsText = slots === undefined ? 'the SDK default (40)' : String(slots);
  const stickyTimeout = args['sticky-queue-timeout'];
  const stickyText = stickyTimeout === undefined ? "the SDK's 10 s" : `${stickyTimeout} s`;
  const runId = Date.now().toString(36);
  const loadBefore = load();
  log(
    `storm ${runId}: ${args.subs} subscriptions (${failingCount} failing cards), sticky cache ${cacheSize}, workflow task slots ${slotsText}, sticky queue timeout ${stickyText}; load ${loadBefore}`,
  );
  const stack = await startScaleStack({
    runId,
    keep: args.keep === 'true',
    log,
    cpuProfDir: args['cpu-prof'],
    sqlitePragmas: args['sqlite-pragmas'] === 'none' ? [] : args['sqlite-pragmas'].split(','),
    serviceEnv: {
      WORKER_MAX_CACHED_WORKFLOWS: String(cacheSize),
      ...(slots !== undefined && { WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: String(slots) }),
      ...(stickyTimeout !== undefined && { WORKER_STICKY_QUEUE_TIMEOUT_MS: String(stickyTimeout * 1000) }),
    },
  });
  let exitCode: number;
  try {
    const { db, stripe } = stack;
    // One test clock for every customer, frozen while they subscribe: every subscription starts at the same
    // instant, so all share one billing anchor. The service adopts each customer as it would any customer it
    // recorded (insertCustomer, the read model's own writer) and subscribes it through the real API.
    const clock = await stripe.testHelpers.testClocks.create({
      frozen_time: Math.floor(Date.now() / 1000),
      name: `storm ${runId}`,
    });
    const failingAt = new Set(
      Array.from({ length: failingCount }, (_, k) => Math.floor((k * args.subs) / failingCount)),
    );
    const limit = createLimiter(args.concurrency);
    const setupStarted = Date.now();
    let subscribed = 0;
    // Each progress line says how the worker's workflow tasks fared in the last interval: a slow setup is the
    // worker falling behind (execution past Temporal's 10 s workflow task timeout means work done twice).
    const metricsAtSetup = await scrapeMetrics(stack.workerSdkMetricsUrl);
    let metricsAtTick = metricsAtSetup;
    const progress = setInterval(() => {
      void scrapeMetrics(stack.workerSdkMetricsUrl)
        .then((now) => {
          const window = taskWindow(metricsAtTick, now);
          metricsAtTick = now;
          log(`${subscribed} of ${args.subs} subscribed; workflow tasks in the last 10 s: ${window}; load ${load()}`);
        })
        .catch(() => log(`${subscribed} of ${args.subs} subscribed (worker metrics unreadable); load ${load()}`));
    }, 10_000);
    const subs: StormSub[] = await Promise.all(
      Array.from({ length: args.subs }, (_, index) =>
        limit(async () => {
          const organizationId = `storm-${runId}-${String(index).padStart(6, '0')}`;
          const email = `billing@${organizationId}.example`;
          const customer = await stripe.customers.create({
            email,
            metadata: { organization_id: organizationId },
            test_clock: clock.id,
          });
          await insertCustomer(db, { organizationId, stripeCustomerId: customer.id, testClockId: clock.id, email });
          const api = createApiClient(stack.apiUrl, await signUserToken(stack.jwtSecret, { organizationId, email }));
          for (let attempt = 1; ; attempt += 1) {
            try {
              await api.subscribe('starter', 'pm_card_visa', `storm-subscribe-${organizationId}`, { skipTrial: true });
              break;
            } catch (err) {
              if (!(err instanceof ApiCallError && err.status === 503) || attempt >= 10) throw err;
              await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
            }
          }
          const failing = failingAt.has(index);
          // The card that will decline is saved now; it is charged first at the renewal.
          if (failing) await api.updatePaymentMethod('pm_card_chargeCustomerFail');
          subscribed += 1;
          return { organizationId, email, customerId: customer.id, failing };
        }),
      ),
    );
    clearInterval(progress);
    const rows = await db
      .selectFrom('subscriptions')
      .select(['organization_id', 'status', 'current_period_end'])
      .where(
        'organization_id',
        'in',
        subs.map((s) => s.organizationId),
      )
      .execute();
    const ends = new Set(rows.map((r) => (r.current_period_end ? new Date(r.current_period_end).getTime() : 0)));
    const notActive = rows.filter((r) => r.status !== 'active').length;
    if (rows.length !== subs.length || notActive > 0 || ends.size !== 1)
      throw new Error(
        `before the storm: ${rows.length} read-model rows for ${subs.length} subscriptions, ${notActive} not active, ${ends.size} distinct period ends (want one anchor)`,
      );
    const periodEndMs = [...ends][0] ?? 0;
    const setupMs = Date.now() - setupStarted;
    log(
      `${subs.length} subscriptions live in ${(setupMs / 1000).toFixed(0)} s, one anchor ${new Date(periodEndMs).toISOString()}`,
    );
    if (!(await waitUntilQuiet(db, 300_000))) throw new Error('webhooks or emails still pending 300 s after the setup');
    // Idle backends report their row counters within about ten seconds.
    await new Promise((r) => setTimeout(r, 11_000));

    // The window opens: everything below counts the storm alone.
    await fetch(`${stack.mailUrl}/messages`, { method: 'DELETE' });
    await fetch(`${stack.simUrl}/_sim/requests`, { method: 'DELETE' });
    const pgBefore = await readPgWrites(db);
    const inboxBefore = await countInbox(db);
    const metricsBefore = await scrapeMetrics(stack.workerSdkMetricsUrl);
    const setupTasks = taskWindow(metricsAtSetup, metricsBefore);
    const loadAtStorm = load();
    const sampler = startSampler([...stack.processes(), { name: 'driver (this process)', pid: process.pid }]);
    const pgCpu = startPgCpuSampler(db, stack.dbName);
    const stormStartMs = Date.now();
    log(`storm: the shared clock moves past the anchor (load ${loadAtStorm})`);
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: Math.floor((periodEndMs + HOUR_MS) / 1000) });
    let clockReadyMs = NaN;
    const settled = await Promise.all([
      (async () => {
        // The simulator is busy renewing the whole cohort and serving the service: a poll that times out (the
        // client's 20 s) is asked again, not the end of the run.
        const status = (): Promise<string> =>
          stripe.testHelpers.testClocks.retrieve(clock.id).then(
            (c) => c.status,
            (err: unknown) => {
              if (err instanceof Stripe.errors.StripeConnectionError) return 'unanswered';
              throw err;
            },
          );
        while ((await status()) !== 'ready') await new Promise((r) => setTimeout(r, 250));
        clockReadyMs = Date.now() - stormStartMs;
      })(),
      waitUntilSettled(db, subs, {
        stormStartMs,
        periodEndMs,
        timeoutMs: args['settle-timeout'] * 1000,
        intervalMs: 500,
        log,
      }),
    ]).then(([, r]) => r);
    const settleMs = Math.max(0, ...settled.lags.values());
    const processes = sampler.stop();
    const pg = await pgCpu.stop();
    const metricsAfter = await scrapeMetrics(stack.workerSdkMetricsUrl);
    const loadAtSettle = load();
    log(
      `${settled.lags.size} of ${subs.length} settled, the last after ${(settleMs / 1000).toFixed(1)} s (load ${loadAtSettle}); waiting for quiet`,
    );

    // Dunning of the failing cards and the last webhooks go on after "settled": the cost counts them too.
    const quiet = await waitUntilQuiet(db, 300_000);
    const temporal = await collectTemporalStats(stack.temporal, createLimiter(8), 120_000, stormStartMs);
    await waitUntilQuiet(db, 60_000);
    await new Promise((r) => setTimeout(r, 11_000));
    const pgWrites = pgWritesBetween(pgBefore, await readPgWrites(db));
    const webhooks = (await countInbox(db)) - inboxBefore;
    const simLog = (await (await fetch(`${stack.simUrl}/_sim/requests`)).json()) as { counts: Record<string, number> };
    // The driver's own calls (the clock, the checks below come later) are not the service's.
    const stripeRequests = Object.fromEntries(
      Object.entries(simLog.counts).filter(([e]) => !e.includes('/v1/test_helpers/') && e !== 'GET /v1/customers'),
    );
    const emails = await db
      .selectFrom('email_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'sent')
      .where('created_at', '>=', new Date(stormStartMs))
      .executeTakeFirst();
    const check = await checkStorm(
      { db, stripe, mailUrl: stack.mailUrl, mailCapacity: MAIL_SINK_CAPACITY },
      subs,
      stormStartMs,
    );
    const violations = [
      ...settled.unsettled.slice(0, 20).map((o) => `${o}: not settled within --settle-timeout`),
      ...(quiet ? [] : ['webhooks or emails still pending 300 s after the storm settled']),
      ...temporal.stuck.map((w) => `stuck workflow ${w}`),
      ...check.violations,
    ];

    const lags = [...settled.lags.values()];
    const good = subs.filter((s) => !s.failing).map((s) => settled.lags.get(s.organizationId));
    const bad = subs.filter((s) => s.failing).map((s) => settled.lags.get(s.organizationId));
    const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    const lagLine = (xs: (number | undefined)[]): string => {
      const v = xs.filter((x): x is number => x !== undefined);
      return v.length ? `p50 ${sec(quantile(v, 0.5))}, p99 ${sec(quantile(v, 0.99))}, max ${sec(Math.max(...v))}` : '—';
    };
    const s2s = histogramDelta(metricsBefore, metricsAfter, 'temporal_workflow_task_schedule_to_start_latency');
    const exec = histogramDelta(metricsBefore, metricsAfter, 'temporal_workflow_task_execution_latency');
    const evictions = counterDelta(metricsBefore, metricsAfter, 'temporal_sticky_cache_total_forced_eviction');
    const cpu = (p: ProcessSeries): number => p.cpuAtEnd - p.cpuAtStart;
    const worker = processes.find((p) => p.name === 'worker');
    const stormSeconds = settleMs / 1000;
    const lines: [string, string][] = [
      ['subscriptions', `${subs.length} on one anchor (${failingCount} failing cards); set up in ${sec(setupMs)}`],
      ['workflow tasks while subscribing', setupTasks],
      [
        'load average (1/5/15 min)',
        `before setup ${loadBefore}; at the storm ${loadAtStorm}; when settled ${loadAtSettle}`,
      ],
      [
        'all settled after',
        `${sec(settleMs)} (${settled.lags.size} of ${subs.length}; simulator clock ready after ${sec(clockReadyMs)}); ${(settled.lags.size / Math.max(stormSeconds, 0.001)).toFixed(1)} settled/s`,
      ],
      ['settle lag, all', `${lagLine(lags)} (poll every 0.5 s)`],
      ['settle lag, good cards', `${lagLine(good)}: cycle invoice paid, read model current, receipt sent`],
      ['settle lag, failing cards', `${lagLine(bad)}: past_due and the payment-failed email sent`],
      [
        'workflow tasks (histories)',
        `${temporal.workflowTasks} from the storm on (${(temporal.workflowTasks / subs.length).toFixed(1)} per subscription); ${temporal.failedWorkflowTasks} failed/timed out; ${temporal.nonStickyTasks} off the sticky queue (full replays); ${temporal.signals} signals; activities ${[...temporal.activities.map(([t, n]) => `${t} ${n}`), ...temporal.localActivities.map(([t, n]) => `${t} (local) ${n}`)].join(', ')}`,
      ],
      [
        'workflow task schedule-to-start',
        s2s
          ? `${s2s.count} tasks until settled: p50 ${formatBound(s2s.p50, s2s.lastBound)}, p99 ${formatBound(s2s.p99, s2s.lastBound)}, max ${formatBound(s2s.max, s2s.lastBound)} (worker metric buckets); mean ${(s2s.sumSeconds / Math.max(1, s2s.count)).toFixed(3)} s`
          : 'metric not exported',
      ],
      [
        'workflow task execution',
        exec
          ? `p50 ${formatBound(exec.p50, exec.lastBound)}, p99 ${formatBound(exec.p99, exec.lastBound)}; mean ${(exec.sumSeconds / Math.max(1, exec.count)).toFixed(3)} s`
          : 'metric not exported',
      ],
      [
        'worker RSS',
        `max ${mib(worker?.maxRss ?? 0)} with a sticky cache of ${cacheSize} (< ${subs.length}) and workflow task slots ${slotsText}; ${evictions} forced evictions`,
      ],
      ...processes.map((p): [string, string] => [
        `CPU ${p.name}`,
        `${cpu(p).toFixed(1)} s (${((cpu(p) / Math.max(stormSeconds, 0.001)) * 100).toFixed(0)} % of a core), ${((cpu(p) / subs.length) * 1000).toFixed(1)} ms per renewal; max RSS ${mib(p.maxRss)}`,
      ]),
      [
        'CPU postgres (this database)',
        `${pg.cpuSeconds.toFixed(1)} s over ${pg.backends} backends (${((pg.cpuSeconds / Math.max(stormSeconds, 0.001)) * 100).toFixed(0)} % of a core), ${((pg.cpuSeconds / subs.length) * 1000).toFixed(1)} ms per renewal`,
      ],
      [
        'counted after the storm',
        `${check.counted.cycleInvoices} cycle invoices (${check.counted.paidCycleInvoices} paid), ${check.counted.succeededCharges} succeeded charges (incl. the first), ${check.counted.receipts} receipts + ${check.counted.paymentFailedEmails} payment-failed emails enqueued, ${check.counted.mailSinkMessages} emails delivered, ${check.counted.readModelRows} read-model rows, ${webhooks} webhooks`,
      ],
      ['lost or duplicated', violations.length === 0 ? '✓ none' : `✗ ${violations.length}`],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    const report = [
      ...lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
      ...violations.slice(0, 30).map((v) => `✗ ${v}`),
      ...temporal.taskFailureReasons.map(([reason, n]) => `! workflow task ${reason} ×${n}`),
      '',
      renderCostModel(
        {
          unit: 'renewal',
          units: subs.length,
          renewals: subs.length,
          temporalActions: temporal.actions,
          historyBytes: temporal.historyBytes,
          stripeRequests,
          webhooks,
          postgres: { ...pgWrites },
          emails: Number(emails?.n ?? 0),
        },
        { actionPricePerMillion: args['action-price'] },
      ),
      `Postgres rows inserted by table: ${pgWrites.insertedByTable.map(([t, n]) => `${t} ${n}`).join(', ')}`,
      `Postgres growth by table (with indexes and TOAST): ${pgWrites.bytesByTable.map(([t, n]) => `${t} ${(n / 1024).toFixed(0)} KiB`).join(', ')}`,
      `Stripe requests by endpoint: ${Object.entries(stripeRequests)
        .sort((a, b) => b[1] - a[1])
        .map(([e, n]) => `${e} ${n}`)
        .join(', ')}`,
    ];
    process.stdout.write(`${report.join('\n')}\n`);
    exitCode = violations.length === 0 ? 0 : 1;
  } finally {
    await stack.close();
  }
  process.exit(exitCode);
}

/** Workflow tasks between two metric snapshots: how many, execution and schedule-to-start (means and p99 buckets). */
function taskWindow(before: MetricsSnapshot, after: MetricsSnapshot): string {
  const exec = histogramDelta(before, after, 'temporal_workflow_task_execution_latency');
  const s2s = histogramDelta(before, after, 'temporal_workflow_task_schedule_to_start_latency');
  if (!exec || !s2s) return 'metric not exported';
  const mean = (h: HistogramWindow): string => `${(h.sumSeconds / Math.max(1, h.count)).toFixed(2)} s`;
  return `${exec.count} executed, execution mean ${mean(exec)} (p99 ${formatBound(exec.p99, exec.lastBound)}), schedule-to-start mean ${mean(s2s)} (p99 ${formatBound(s2s.p99, s2s.lastBound)})`;
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

async function countInbox(db: Parameters<typeof readPgWrites>[0]): Promise<number> {
  const row = await db
    .selectFrom('stripe_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
