import type { InvariantReport } from './invariants';
import { MIX_SHARE, type Scenario } from './population';
import { thin, type ProcessSeries } from './sampler';
import type { TemporalStats } from './temporal-stats';

export interface ScaleResult {
  orgs: number;
  months: number;
  concurrency: number;
  /** Until every organization's last step was seen in the read model. */
  yearMs: number;
  /** Until, in addition, every stored webhook was relayed: the figure the target is about. */
  drainedMs: number;
  failedLives: { org: string; scenario: Scenario; error: string }[];
  clockAdvances: number;
  /** DescribeWorkflowExecution calls the driver made to pace its steps (each costs the dev server CPU). */
  driverDescribes: number;
  temporal: TemporalStats;
  invariants: InvariantReport;
  processes: ProcessSeries[];
}

const TEN_MINUTES_MS = 600_000;
const GIB = 1024 ** 3;
const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

function table(rows: [string, string, string][]): string {
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  const line = (r: string[]): string =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The targets of the scale run (issue #10), scaled to N where they are per organization. */
export function targetsMet(r: ScaleResult): { wall: boolean; rss: boolean; invariants: boolean } {
  const worker = r.processes.find((p) => p.name === 'worker');
  return {
    wall: r.orgs >= 1_000 && r.drainedMs <= (TEN_MINUTES_MS * r.orgs) / 1_000,
    rss: (worker?.maxRss ?? Infinity) < GIB,
    invariants: r.invariants.violations.length === 0 && r.failedLives.length === 0 && r.temporal.stuck.length === 0,
  };
}

export function renderReport(r: ScaleResult): string {
  const seconds = r.drainedMs / 1000;
  const worker = r.processes.find((p) => p.name === 'worker');
  const met = targetsMet(r);
  const mark = (ok: boolean): string => (ok ? '✓' : '✗');
  const rows: [string, string, string][] = [
    ['Measure', 'Value', 'Target / note'],
    [
      'organizations × months',
      `${r.orgs} × ${r.months} (${r.concurrency} steps at a time)`,
      `mix ${Object.entries(MIX_SHARE)
        .map(([k, v]) => `${v * 100} % ${k}`)
        .join(', ')}`,
    ],
    [
      'wall time of the year',
      `${seconds.toFixed(1)} s (${(r.drainedMs / r.orgs).toFixed(0)} ms per org; last step seen at ${(r.yearMs / 1000).toFixed(1)} s)`,
      r.orgs >= 1_000
        ? `${mark(met.wall)} ≤ ${((TEN_MINUTES_MS * r.orgs) / 1_000 / 1000).toFixed(0)} s (10 min per 1,000)`
        : 'the 10-minute target is for 1,000 organizations',
    ],
    [
      'workflow tasks',
      `${r.temporal.workflowTasks} (${(r.temporal.workflowTasks / seconds).toFixed(1)}/s)`,
      `counted WorkflowTaskCompleted in every run's history; ${r.temporal.failedWorkflowTasks} failed/timed out; ${r.temporal.nonStickyTasks} after a run's first off the sticky queue (not cached: a full replay)`,
    ],
    [
      'workflow runs',
      `${r.temporal.runs.length} for ${r.temporal.workflows} workflows (≤ ${r.temporal.runsPerWorkflowMax} per workflow)`,
      'one run spans renewals until its history reaches the policy limit (runHistoryLimit) or the code changes',
    ],
    [
      'per organization-year',
      `${(r.temporal.workflowTasks / r.orgs).toFixed(1)} workflow tasks, ${(r.temporal.signals / r.orgs).toFixed(1)} signals, ${(r.invariants.webhookInbox.total / r.orgs).toFixed(1)} webhooks`,
      [
        ...r.temporal.activities.map(([type, n]) => `${type} ${(n / r.orgs).toFixed(1)}`),
        ...r.temporal.localActivities.map(([type, n]) => `${type} (local) ${(n / r.orgs).toFixed(1)}`),
      ].join(', '),
    ],
    [
      'history events per run',
      `max ${r.temporal.maxEventsPerRun}, avg ${r.temporal.avgEventsPerRun.toFixed(1)}`,
      'bounded by continue-as-new',
    ],
    ['worker RSS', `max ${mib(worker?.maxRss ?? 0)}`, `${mark(met.rss)} < 1 GiB`],
    [
      'worker RSS over time',
      (worker ? thin(worker.rss, 8) : []).map(([t, b]) => `${t.toFixed(0)}s:${mib(b).replace(' MiB', '')}`).join(' '),
      'MiB',
    ],
    ['Stripe test-clock advances', `${r.clockAdvances} (one clock per organization)`, ''],
    [
      "driver's DescribeWorkflowExecution calls",
      `${r.driverDescribes} (${(r.driverDescribes / (r.orgs * (r.months / 12))).toFixed(1)} per organization-year)`,
      "pacing the steps; the dev server's CPU includes them",
    ],
    [
      'Stripe objects',
      `${r.invariants.stripe.customers} customers, ${r.invariants.stripe.subscriptions} subscriptions, ${r.invariants.stripe.paidInvoices} paid invoices, ${r.invariants.stripe.uncollectible} uncollectible`,
      '',
    ],
    ['webhooks stored / pending', `${r.invariants.webhookInbox.total} / ${r.invariants.webhookInbox.pending}`, ''],
    ['organizations whose year failed', String(r.failedLives.length), mark(r.failedLives.length === 0)],
    [
      'stuck workflows',
      String(r.temporal.stuck.length),
      `${mark(r.temporal.stuck.length === 0)} running with no pending timer, activity or task`,
    ],
    [
      'invariant violations',
      String(r.invariants.violations.length),
      `${mark(r.invariants.violations.length === 0)} read model = Stripe, 1 customer + 1 subscription per org, no period charged twice`,
    ],
  ];
  const cpuRows: [string, string, string][] = [['Process', 'CPU during the year', 'per organization-year · max RSS']];
  const cpu = (p: ProcessSeries): number => p.cpuAtEnd - p.cpuAtStart;
  for (const p of r.processes)
    cpuRows.push([
      p.name,
      `${cpu(p).toFixed(1)} s (${((cpu(p) / seconds) * 100).toFixed(0)} % of one core)`,
      `${((cpu(p) / r.orgs) * 1000).toFixed(0)} ms · ${mib(p.maxRss)}`,
    ]);
  const total = r.processes.reduce((n, p) => n + cpu(p), 0);
  cpuRows.push(['all', `${total.toFixed(1)} s`, `${((total / r.orgs) * 1000).toFixed(0)} ms`]);
  const problems = [
    ...r.failedLives.slice(0, 10).map((f) => `✗ ${f.org} (${f.scenario}): ${f.error}`),
    ...r.invariants.violations.slice(0, 20).map((v) => `✗ ${v}`),
    ...r.temporal.stuck.slice(0, 10).map((w) => `✗ stuck: ${w}`),
    ...r.temporal.taskFailureReasons.map(([reason, n]) => `! workflow task ${reason} ×${n}`),
  ];
  return [
    table(rows),
    '',
    table(cpuRows),
    ...(problems.length ? ['', ...problems] : []),
    '',
    `${(met.wall || r.orgs < 1_000) && met.rss && met.invariants ? '✓ targets met' : '✗ targets NOT met'} (histories read in ${(r.temporal.collectMs / 1000).toFixed(1)} s after the run, not counted)`,
  ].join('\n');
}
