import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { reconciliationWorkflow } from './workflow';
import type { ReconciliationSummary } from './summary';

export const RECONCILIATION_SCHEDULE_ID = 'billing-reconciliation';
/** 03:17 UTC daily: off the hour, when Stripe and the service are quiet. */
export const DEFAULT_RECONCILIATION_CRON = '17 3 * * *';

/** Creates the daily Schedule, or brings an existing one to this spec (idempotent; call at worker start). */
export async function ensureReconciliationSchedule(
  temporal: Client,
  opts: { taskQueue: string; cron?: string; scheduleId?: string },
): Promise<void> {
  const options = {
    scheduleId: opts.scheduleId ?? RECONCILIATION_SCHEDULE_ID,
    spec: { cronExpressions: [opts.cron ?? DEFAULT_RECONCILIATION_CRON] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'reconciliationWorkflow',
      taskQueue: opts.taskQueue,
      args: [{}],
    },
    // A run still paging when the next is due makes the next pointless.
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
  };
  try {
    await temporal.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule
      .getHandle(options.scheduleId)
      .update((previous) => ({ ...previous, spec: options.spec, action: options.action }));
  }
}

/** Runs a reconciliation now through the worker and waits for its summary. */
export async function runReconciliation(
  temporal: Client,
  taskQueue: string,
  invoiceLookbackDays?: number,
): Promise<{ workflowId: string; summary: ReconciliationSummary }> {
  const workflowId = `reconciliation:manual:${new Date().toISOString()}`;
  const summary = await temporal.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    workflowId,
    taskQueue,
    args: [invoiceLookbackDays === undefined ? {} : { invoiceLookbackDays }],
  });
  return { workflowId, summary };
}
