import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/** Binaries installed by scripts/setup-tools.sh into the project's virtualenv (no download at run time). */
const VENV_BIN = `${__dirname}/../../.local/venv/bin`;
export const TEMPORAL_TEST_SERVER = process.env.TEMPORAL_TEST_SERVER ?? `${VENV_BIN}/temporal-test-server`;
export const TEMPORAL_ADDRESS = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

/** The time-skipping server: months of workflow time in seconds. */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEMPORAL_TEST_SERVER } },
  });
}

/** The real dev server started by scripts/services.sh. */
export function connectDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: TEMPORAL_ADDRESS });
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Every run of a workflow, first to latest (following continue-as-new), with its history. */
export async function runsOf(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const latest = await client.workflow.getHandle(workflowId).fetchHistory();
  let next = latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
  const runs: temporal.api.history.v1.IHistory[] = [];
  while (next) {
    const history = await client.workflow.getHandle(workflowId, next).fetchHistory();
    runs.push(history);
    next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The builds that completed a run's workflow tasks, in order, without repeats ('(none)': the server recorded none). */
export function buildsOf(history: temporal.api.history.v1.IHistory): string[] {
  const builds = (history.events ?? []).flatMap((e) => {
    const done = e.workflowTaskCompletedEventAttributes;
    return done ? [done.deploymentVersion?.buildId || done.workerVersion?.buildId || '(none)'] : [];
  });
  return builds.filter((b, i) => builds[i - 1] !== b);
}
