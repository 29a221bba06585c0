import type { Client } from '@temporalio/client';
import { subscriptionWorkflowId } from '../../src/workflows/messages';

/**
 * Keeps the driver from starting an organization's next month before this month's renewal is over in Temporal.
 *
 * The workflow projects a renewal into the read model from the task that then decides whether the run goes on
 * (a run spans periods on unchanged code, and continues as new at a period once its history is long:
 * src/workflows/subscription-workflow.ts). So the read model shows the renewal a few milliseconds (a loaded machine:
 * hundreds) before that task has completed. A driver that moved the Stripe test clock at once sent the next month's
 * webhooks into that gap: when the task closed the run the server refused it (`UnhandledCommand`) and the run was
 * replayed from history. Real months are a month apart, so those failures were the bench's, not the service's. The
 * driver waits for the run that saw the renewal to close, or to have no workflow task scheduled or running while it
 * is still open (DescribeWorkflowExecution, every `intervalMs`), and then goes on; failures left are the service's
 * own (a renewal's webhooks split across two signals).
 */
export function createRunCloseWatch(temporal: Client, opts: { timeoutMs: number; intervalMs?: number }) {
  const current = new Map<string, string>();
  const intervalMs = opts.intervalMs ?? 50;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    /** The organization's running run, read once after subscribing (before any renewal can close it). */
    async remember(organizationId: string): Promise<void> {
      const workflowId = subscriptionWorkflowId(organizationId);
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
        const { status, raw } = await handle.describe();
        if (status.name === 'RUNNING' && !raw.pendingWorkflowTask) return;
        if (status.name === 'CONTINUED_AS_NEW') {
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
