import type { Client } from '@temporalio/client';
import { subscriptionWorkflowId } from '../../src/workflows/messages';

/**
 * Keeps the driver from acting on a declined renewal (the recovering organization's card update) before the task that
 * projected it is over in Temporal.
 *
 * The workflow projects into the read model from inside a workflow task, so the read model shows `past_due` a few
 * milliseconds (a loaded machine: hundreds) before that task has completed. The driver waits for the run that saw it
 * to close, or to have no workflow task scheduled or running while it is still open (DescribeWorkflowExecution, every
 * `intervalMs`), and then goes on. Before a clock move the quiet check (inbox-quiet.ts) waits for the same thing, so
 * an ordinary renewal needs no wait of its own here: until 2026-12-07 it had one, and its polls were about half of the
 * driver's describes, each costing the dev server CPU that the run counts.
 */
export function createRunCloseWatch(
  temporal: Client,
  opts: { timeoutMs: number; intervalMs?: number; counters: { describes: number } },
) {
  const current = new Map<string, string>();
  const intervalMs = opts.intervalMs ?? 50;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    /** The organization's running run, read once after subscribing (before any renewal can close it). */
    async remember(organizationId: string): Promise<void> {
      const workflowId = subscriptionWorkflowId(organizationId);
      opts.counters.describes += 1;
      const { runId } = await temporal.workflow.getHandle(workflowId).describe();
      current.set(organizationId, runId);
    },

    /**
     * Waits until the remembered run's renewal task is over: the run closed (continued as new: the next run is
     * remembered; completed: done), or it is still running with no workflow task pending.
     */
    async settled(organizationId: string, what: string): Promise<void> {
      const runId = current.get(organizationId);
      if (!runId) throw new Error(`${organizationId}: no run remembered before ${what}`);
      const workflowId = subscriptionWorkflowId(organizationId);
      const handle = temporal.workflow.getHandle(workflowId, runId, { followRuns: false });
      const deadline = Date.now() + opts.timeoutMs;
      for (;;) {
        opts.counters.describes += 1;
        const { status, raw } = await handle.describe();
        if (status.name === 'RUNNING' && !raw.pendingWorkflowTask) return;
        if (status.name === 'CONTINUED_AS_NEW') {
          opts.counters.describes += 1;
          current.set(organizationId, (await temporal.workflow.getHandle(workflowId).describe()).runId);
          return;
        }
        if (status.name !== 'RUNNING') {
          current.delete(organizationId);
          return;
        }
        if (Date.now() > deadline)
          throw new Error(`${organizationId}: run ${runId} still busy ${opts.timeoutMs / 1000} s after ${what}`);
        await sleep(intervalMs);
      }
    },
  };
}
export type RunCloseWatch = ReturnType<typeof createRunCloseWatch>;
