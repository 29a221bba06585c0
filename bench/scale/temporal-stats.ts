import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { billableActions } from './billable-actions';
import type { Limiter } from './population';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

export interface RunStats {
  workflowId: string;
  runId: string;
  running: boolean;
  events: number;
  workflowTasks: number;
  failedWorkflowTasks: number;
  /**
   * Workflow tasks after the run's first one that went to the normal task queue, not the worker's sticky
   * queue: the worker no longer had the run cached (evicted, or the sticky task timed out), so it replayed
   * the history from the start.
   */
  nonStickyTasks: number;
  /** Why workflow tasks failed or timed out (cause and message). */
  taskFailures: string[];
  pendingTimers: number;
  pendingActivities: number;
  signals: number;
  /** Activities scheduled in this run, by activity type. */
  activities: Record<string, number>;
  /** Local activities recorded in this run (markers, no activity task), by activity type. */
  localActivities: Record<string, number>;
  /** A workflow task scheduled or started and not yet finished: the worker will act on it. */
  taskInFlight: boolean;
  /** Temporal Cloud billable Actions this run's history shows (bench/scale/billable-actions.ts). */
  actions: number;
  /** The counted events' size, protobuf-encoded (what the history stores, roughly). */
  historyBytes: number;
}

export interface TemporalStats {
  runs: RunStats[];
  workflows: number;
  workflowTasks: number;
  failedWorkflowTasks: number;
  nonStickyTasks: number;
  /** Distinct reasons of failed or timed-out workflow tasks, with how often each occurred. */
  taskFailureReasons: [string, number][];
  signals: number;
  actions: number;
  historyBytes: number;
  /** Activities scheduled across all runs, by type, most frequent first. */
  activities: [string, number][];
  localActivities: [string, number][];
  maxEventsPerRun: number;
  avgEventsPerRun: number;
  runsPerWorkflowMax: number;
  /** Running workflows with no pending timer, activity or workflow task: nothing will ever wake them. */
  stuck: string[];
  /** Running workflows with an activity or workflow task still pending (not settled yet). */
  busy: number;
  collectMs: number;
}

/** Event ids are protobuf Longs; their decimal text is enough to match them. */
const idOf = (v: { toString(): string } | number | null | undefined): string => String(v ?? '');

const closeAttributes = [
  'workflowExecutionCompletedEventAttributes',
  'workflowExecutionFailedEventAttributes',
  'workflowExecutionTimedOutEventAttributes',
  'workflowExecutionTerminatedEventAttributes',
  'workflowExecutionCanceledEventAttributes',
  'workflowExecutionContinuedAsNewEventAttributes',
] as const;

/**
 * Reads one run's history: its length, its workflow tasks, and what is still pending at its end. Whether the
 * run is still open comes from the history itself (a listing may be older than the history read after it).
 */
export function analyzeHistory(
  workflowId: string,
  runId: string,
  events: HistoryEvent[],
  /** Count only events from this time on (epoch ms; the storm): the pending state still reads the whole history. */
  sinceMs = 0,
): RunStats {
  const last = events[events.length - 1];
  const running = !last || !closeAttributes.some((k) => last[k]);
  const timers = new Set<string>();
  const activities = new Set<string>();
  let workflowTasks = 0;
  let failedWorkflowTasks = 0;
  const taskFailures: string[] = [];
  const scheduled: Record<string, number> = {};
  const local: Record<string, number> = {};
  let signals = 0;
  let lastTaskScheduled = 0;
  let lastTaskClosed = 0;
  let tasksScheduled = 0;
  let nonStickyTasks = 0;
  const counted = sinceMs > 0 ? events.filter((e) => eventTimeMs(e) >= sinceMs) : events;
  const inWindow = new Set(counted);
  for (const e of events) {
    const id = idOf(e.eventId);
    const count = inWindow.has(e);
    const taskScheduled = e.workflowTaskScheduledEventAttributes;
    if (taskScheduled) {
      lastTaskScheduled = Number(id);
      tasksScheduled += 1;
      // TaskQueueKind 2 is STICKY; a run's first task always goes to the normal queue.
      if (count && tasksScheduled > 1 && taskScheduled.taskQueue?.kind !== 2) nonStickyTasks += 1;
    }
    if (e.workflowTaskCompletedEventAttributes) {
      if (count) workflowTasks += 1;
      lastTaskClosed = Number(id);
    }
    const failed = e.workflowTaskFailedEventAttributes;
    if (failed && count)
      taskFailures.push(`failed (cause ${failed.cause ?? '?'}): ${failed.failure?.message ?? ''}`.slice(0, 300));
    const timedOut = e.workflowTaskTimedOutEventAttributes;
    if (timedOut && count) taskFailures.push(`timed out (${timeoutReason(timedOut.timeoutType)})`);
    if (e.workflowExecutionSignaledEventAttributes && count) signals += 1;
    if (failed || e.workflowTaskTimedOutEventAttributes) {
      if (count) failedWorkflowTasks += 1;
      lastTaskClosed = Number(id);
    }
    if (e.timerStartedEventAttributes) timers.add(e.timerStartedEventAttributes.timerId ?? '');
    if (e.timerFiredEventAttributes) timers.delete(e.timerFiredEventAttributes.timerId ?? '');
    if (e.timerCanceledEventAttributes) timers.delete(e.timerCanceledEventAttributes.timerId ?? '');
    const activity = e.activityTaskScheduledEventAttributes;
    if (activity) {
      activities.add(id);
      const type = activity.activityType?.name ?? '?';
      if (count) scheduled[type] = (scheduled[type] ?? 0) + 1;
    }
    const localType = count ? localActivityType(e) : undefined;
    if (localType) local[localType] = (local[localType] ?? 0) + 1;
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (closed) activities.delete(idOf(closed.scheduledEventId));
  }
  return {
    workflowId,
    runId,
    running,
    events: events.length,
    workflowTasks,
    failedWorkflowTasks,
    nonStickyTasks,
    taskFailures,
    pendingTimers: timers.size,
    pendingActivities: activities.size,
    signals,
    activities: scheduled,
    localActivities: local,
    // A run continued-as-new soon after its predecessor started waits out Temporal's first-task backoff with
    // nothing but its Started event: its first task is due, not missing.
    taskInFlight: lastTaskScheduled > lastTaskClosed || (lastTaskScheduled === 0 && firstTaskBackoff(events[0])),
    actions: billableActions(counted),
    historyBytes: counted.reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0),
  };
}

/** TimeoutType: 1 START_TO_CLOSE, 2 SCHEDULE_TO_START (a workflow task has no other). */
function timeoutReason(type: number | null | undefined): string {
  if (type === 2) return 'schedule-to-start on the sticky queue: the worker was busy';
  if (type === 1) return 'start-to-close: the worker took longer than the workflow task timeout to answer';
  return `timeout type ${type ?? '?'}`;
}

function eventTimeMs(e: HistoryEvent): number {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}

/** The SDK records a local activity's outcome as a `core_local_activity` marker whose data names the type. */
function localActivityType(e: HistoryEvent): string | undefined {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return '?';
  try {
    return String((JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown }).activity_type ?? '?');
  } catch {
    return '?';
  }
}

function firstTaskBackoff(first: HistoryEvent | undefined): boolean {
  const backoff = first?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
  return Boolean(backoff && (Number(backoff.seconds ?? 0) > 0 || Number(backoff.nanos ?? 0) > 0));
}

/**
 * Every run of every subscription workflow on the (private) server, each history read once. Read again while
 * workflows are still busy (up to `settleMs`), so the stuck check looks at a quiet system.
 */
export async function collectTemporalStats(
  client: Client,
  limit: Limiter,
  settleMs = 60_000,
  /** Count only what happened from this time on (epoch ms); 0 = everything. */
  sinceMs = 0,
): Promise<TemporalStats> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const stats = await readAllHistories(client, limit, sinceMs);
    if (stats.busy === 0 || Date.now() > deadline) return stats;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

const byType = (counts: Record<string, number>[]): [string, number][] =>
  [
    ...counts
      .flatMap((c) => Object.entries(c))
      .reduce((m, [k, n]) => m.set(k, (m.get(k) ?? 0) + n), new Map<string, number>()),
  ].sort((a, b) => b[1] - a[1]);

async function readAllHistories(client: Client, limit: Limiter, sinceMs: number): Promise<TemporalStats> {
  const started = Date.now();
  const executions: { workflowId: string; runId: string }[] = [];
  for await (const w of client.workflow.list({ query: 'WorkflowType = "subscriptionWorkflow"' }))
    executions.push({ workflowId: w.workflowId, runId: w.runId });
  const runs = await Promise.all(
    executions.map((x) =>
      limit(async () => {
        const history = await client.workflow.getHandle(x.workflowId, x.runId).fetchHistory();
        return analyzeHistory(x.workflowId, x.runId, history.events ?? [], sinceMs);
      }),
    ),
  );
  const perWorkflow = new Map<string, number>();
  for (const r of runs) perWorkflow.set(r.workflowId, (perWorkflow.get(r.workflowId) ?? 0) + 1);
  const sum = (f: (r: RunStats) => number): number => runs.reduce((n, r) => n + f(r), 0);
  return {
    runs,
    workflows: perWorkflow.size,
    workflowTasks: sum((r) => r.workflowTasks),
    failedWorkflowTasks: sum((r) => r.failedWorkflowTasks),
    nonStickyTasks: sum((r) => r.nonStickyTasks),
    taskFailureReasons: [
      ...runs.flatMap((r) => r.taskFailures).reduce((m, f) => m.set(f, (m.get(f) ?? 0) + 1), new Map<string, number>()),
    ],
    signals: sum((r) => r.signals),
    actions: sum((r) => r.actions),
    historyBytes: sum((r) => r.historyBytes),
    activities: byType(runs.map((r) => r.activities)),
    localActivities: byType(runs.map((r) => r.localActivities)),
    maxEventsPerRun: Math.max(0, ...runs.map((r) => r.events)),
    avgEventsPerRun: runs.length ? sum((r) => r.events) / runs.length : 0,
    runsPerWorkflowMax: Math.max(0, ...perWorkflow.values()),
    busy: runs.filter((r) => r.running && (r.pendingActivities > 0 || r.taskInFlight)).length,
    stuck: runs
      .filter((r) => r.running && r.pendingTimers === 0 && r.pendingActivities === 0 && !r.taskInFlight)
      .map((r) => r.workflowId),
    collectMs: Date.now() - started,
  };
}

/**
 * Every run's history of the given workflows as JSON files (`<workflowId>.json`, runs oldest first) in `dir`:
 * the post-mortem of an organization whose year failed, since the private dev server is gone after the run.
 */
export async function dumpHistories(client: Client, workflowIds: readonly string[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const workflowId of workflowIds) {
    const runs: { runId: string; startTime: string; events: unknown }[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
      const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
      runs.push({ runId: w.runId, startTime: w.startTime.toISOString(), events: history.events });
    }
    runs.sort((a, b) => a.startTime.localeCompare(b.startTime));
    writeFileSync(path.join(dir, `${workflowId.replace(/[^\w.-]/g, '_')}.json`), JSON.stringify(runs, null, 1));
  }
}
