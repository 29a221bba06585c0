import { WorkflowContinuedAsNewError, type Client } from '@temporalio/client';
import { subscriptionWorkflowId } from '../../src/workflows/messages';

/**
 * Keeps the driver from starting an organization's next month before this month's renewal is over in Temporal.
 *
 * The workflow projects a renewal into the read model from the same task that then continues as new, so the
 * read model shows the renewal a few milliseconds (a loaded machine: hundreds) before the run has closed. A
 * driver that moved the Stripe test clock at once sent the next month's webhooks into that gap: the server
 * refused the closing task (`UnhandledCommand`) and the run was replayed from history. Real months are a month
 * apart, so those failures were the bench's, not the service's. The driver now waits for the run that saw the
 * renewal to close — one long poll per month on that run's close event (the run id comes from the previous
 * close) — and then goes on; failures left are the service's own (a renewal's webhooks split across two
 * signals).
 */
export function createRunCloseWatch(temporal: Client, opts: { timeoutMs: number }) {
  const current = new Map<string, string>();

  return {
    /** The organization's running run, read once after subscribing (before any renewal can close it). */
    async remember(organizationId: string): Promise<void> {
      const workflowId = subscriptionWorkflowId(organizationId);
      const { runId } = await temporal.workflow.getHandle(workflowId).describe();
      current.set(organizationId, runId);
    },

    /** Waits for the remembered run to close (continued as new: the next run is remembered; completed: done). */
    async closed(organizationId: string, what: string): Promise<void> {
      const runId = current.get(organizationId);
      if (!runId) throw new Error(`${organizationId}: no run remembered before ${what}`);
      const handle = temporal.workflow.getHandle(subscriptionWorkflowId(organizationId), runId, { followRuns: false });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`${organizationId}: run ${runId} still open ${opts.timeoutMs / 1000} s after ${what}`)),
          opts.timeoutMs,
        );
      });
      try {
        await Promise.race([handle.result(), timeout]);
        current.delete(organizationId);
      } catch (err) {
        if (!(err instanceof WorkflowContinuedAsNewError)) throw err;
        current.set(organizationId, err.newExecutionRunId);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
export type RunCloseWatch = ReturnType<typeof createRunCloseWatch>;
