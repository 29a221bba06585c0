/**
 * The scale run: N organizations each live a simulated year (trial, renewals, upgrades, failed payments
 * recovered or lost, cancellations) through the real API, the real worker and workflows on a private
 * Temporal dev server, the Stripe simulator's test clocks and a fresh Postgres database. Reports wall time,
 * workflow tasks per second, worker RSS over time, history length per run, CPU per process and a final
 * invariant check. Not a test: it prints figures (exit 1 if an invariant is violated).
 *   npx tsx bench/scale.ts [--orgs 1000] [--months 12] [--concurrency 64] [--step-timeout 600] [--keep] [--cpu-prof DIR]
 *                          [--action-price USD] [--cache-size N]
 * Then prints the cost model per organization-year (bench/scale/cost-model.ts).
 * Needs Postgres and the project's tools (npm run setup); starts everything else itself on free ports.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseFlags } from './scale/args';
import { renderCostModel } from './scale/cost-model';
import { checkInvariants } from './scale/invariants';
import { pgWritesBetween, readPgWrites } from './scale/pg-stats';
import { buildPopulation, createLimiter, liveYear, type Org, type Scenario, yearPlan } from './scale/population';
import { createReadModelWatch } from './scale/read-model-watch';
import { renderReport, targetsMet, type ScaleResult } from './scale/report';
import { startSampler } from './scale/sampler';
import { subscriptionWorkflowId } from '../src/workflows/messages';
import { runOutputDir, startScaleStack } from './scale/stack';
import { createInboxQuiet } from './scale/inbox-quiet';
import { createRunCloseWatch } from './scale/run-close-watch';
import { collectTemporalStats, dumpHistories } from './scale/temporal-stats';

const ArgsSchema = z.strictObject({
  orgs: z.coerce.number().int().min(1).max(100_000).default(1_000),
  months: z.coerce.number().int().min(1).max(24).default(12),
  concurrency: z.coerce.number().int().min(1).max(2_000).default(64),
  /** How long one step may take to show in the read model before that organization's year counts as failed. */
  'step-timeout': z.coerce.number().int().min(10).max(3_600).default(600),
  keep: z.literal('true').optional(),
  /**
   * The dev server's SQLite pragmas, comma-separated (`--sqlite-pragma` each); `none` for the CLI's defaults.
   * WAL with synchronous=normal commits without an fsync per transaction and survives a process crash.
   */
  'sqlite-pragmas': z.string().default('journal_mode=wal,synchronous=normal'),
  /** Directory for V8 CPU profiles (`.cpuprofile`) of the simulator, worker and API, written as they exit. */
  'cpu-prof': z.string().min(1).optional(),
  /** A flat price per million Temporal Cloud Actions for the cost model instead of the published tiers (USD). */
  'action-price': z.coerce.number().positive().max(10_000).optional(),
  /**
   * The worker's sticky cache (WORKER_MAX_CACHED_WORKFLOWS; default the SDK's). Smaller than --orgs, most workflow
   * tasks replay their run's history, as in production where a month passes between a subscription's renewals.
   */
  'cache-size': z.coerce.number().int().min(1).max(100_000).optional(),
});

const log = (line: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function main(): Promise<void> {
  const args = parseFlags(ArgsSchema, process.argv.slice(2));
  const runId = Date.now().toString(36);
  const plan = yearPlan(args.months);
  log(`scale run ${runId}: ${args.orgs} organizations × ${args.months} months, ${args.concurrency} steps at a time`);
  const stack = await startScaleStack({
    runId,
    keep: args.keep === 'true',
    log,
    cpuProfDir: args['cpu-prof'],
    sqlitePragmas: args['sqlite-pragmas'] === 'none' ? [] : args['sqlite-pragmas'].split(','),
    ...(args['cache-size'] !== undefined && {
      serviceEnv: { WORKER_MAX_CACHED_WORKFLOWS: String(args['cache-size']) },
    }),
  });
  let exitCode: number;
  try {
    const orgs = await buildPopulation({
      orgs: args.orgs,
      runId,
      apiUrl: stack.apiUrl,
      jwtSecret: stack.jwtSecret,
      stripe: stack.stripe,
    });
    const watch = createReadModelWatch(stack.db, { timeoutMs: args['step-timeout'] * 1000 });
    watch.start();
    const counters = { advances: 0, describes: 0 };
    const runs = createRunCloseWatch(stack.temporal, { timeoutMs: args['step-timeout'] * 1000, counters });
    const quiet = createInboxQuiet(stack.db, stack.temporal, { timeoutMs: args['step-timeout'] * 1000, counters });
    const sampler = startSampler([...stack.processes(), { name: 'driver (this process)', pid: process.pid }]);
    let monthsDone = 0;
    const failedLives: { org: string; scenario: Scenario; error: string }[] = [];
    // The cost model counts the year alone: the simulator's request counts and the row counters start here.
    await fetch(`${stack.simUrl}/_sim/requests`, { method: 'DELETE' });
    const pgBefore = await readPgWrites(stack.db);
    const started = Date.now();
    const progress = setInterval(
      () =>
        log(
          `${monthsDone} organization-months done, ${failedLives.length} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`,
        ),
      10_000,
    );
    const limit = createLimiter(args.concurrency);
    await Promise.all(
      orgs.map((org: Org) =>
        liveYear(org, { watch, runs, quiet, limit, plan, counters, onMonth: () => void (monthsDone += 1) }).catch(
          (err: unknown) => {
            failedLives.push({
              org: org.organizationId,
              scenario: org.scenario,
              error: err instanceof Error ? err.message : String(err),
            });
          },
        ),
      ),
    );
    const yearMs = Date.now() - started;
    clearInterval(progress);
    watch.stop();
    log(
      `every organization's year is over after ${(yearMs / 1000).toFixed(1)} s; waiting for the last webhooks to be relayed`,
    );
    await drainInbox(stack.db);
    // Before the invariant check's own Stripe reads.
    const simLog = (await (await fetch(`${stack.simUrl}/_sim/requests`)).json()) as { counts: Record<string, number> };
    const drainedMs = Date.now() - started;
    const processes = sampler.stop();
    log(`inbox drained after ${(drainedMs / 1000).toFixed(1)} s; reading histories and checking invariants`);
    const temporal = await collectTemporalStats(stack.temporal, createLimiter(8));
    const invariants = await checkInvariants({ db: stack.db, stripe: stack.stripe }, orgs, plan);
    if (failedLives.length > 0) {
      const dir = path.join(runOutputDir(runId), 'histories');
      await dumpHistories(
        stack.temporal,
        [...new Set(failedLives.map((f) => subscriptionWorkflowId(f.org)))].slice(0, 10),
        dir,
      );
      log(`histories of up to 10 failed organizations in ${dir}`);
    }
    const failingTasks = [...new Set(temporal.runs.filter((r) => r.failedWorkflowTasks > 0).map((r) => r.workflowId))];
    if (failingTasks.length > 0) {
      // The private dev server is gone after the run: keep what shows why a task failed (the events around it).
      const dir = path.join(runOutputDir(runId), 'histories-failed-tasks');
      await dumpHistories(stack.temporal, failingTasks.slice(0, 10), dir);
      log(`histories of up to 10 workflows with a failed or timed-out task in ${dir}`);
    }
    const result: ScaleResult = {
      orgs: args.orgs,
      months: args.months,
      concurrency: args.concurrency,
      yearMs,
      drainedMs,
      failedLives,
      clockAdvances: counters.advances,
      driverDescribes: counters.describes,
      temporal,
      invariants,
      processes,
    };
    process.stdout.write(`${renderReport(result)}\n\n`);
    // Idle backends report their row counters within about ten seconds.
    await new Promise((r) => setTimeout(r, 11_000));
    const pgWrites = pgWritesBetween(pgBefore, await readPgWrites(stack.db));
    const emails = await stack.db
      .selectFrom('email_outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'sent')
      .executeTakeFirst();
    process.stdout.write(
      `${renderCostModel(
        {
          unit: 'organization-year',
          units: args.orgs * (args.months / 12),
          renewals: invariants.stripe.paidInvoices + invariants.stripe.uncollectible,
          temporalActions: temporal.actions,
          historyBytes: temporal.historyBytes,
          // The driver's own calls (test clocks, finding each customer's clock; the checks came after) are not the service's.
          stripeRequests: Object.fromEntries(
            Object.entries(simLog.counts).filter(
              ([e]) => !e.includes('/v1/test_helpers/') && e !== 'GET /v1/customers',
            ),
          ),
          webhooks: invariants.webhookInbox.total,
          postgres: pgWrites,
          emails: Number(emails?.n ?? 0),
        },
        { actionPricePerMillion: args['action-price'] },
      )}\n`,
    );
    const met = targetsMet(result);
    exitCode = met.invariants ? 0 : 1;
  } finally {
    await stack.close();
  }
  process.exit(exitCode);
}

/** Waits (bounded) until every stored webhook has been relayed, so the check sees the settled state. */
async function drainInbox(db: Parameters<typeof checkInvariants>[0]['db']): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const pending = await db
      .selectFrom('stripe_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('relay_status', '=', 'pending')
      .executeTakeFirst();
    if (Number(pending?.n ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
