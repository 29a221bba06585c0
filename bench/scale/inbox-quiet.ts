import type { Client } from '@temporalio/client';
import type { Db } from '../../src/db/database';
import { subscriptionWorkflowId } from '../../src/workflows/messages';
import { done, notYet, waitFor } from '../../tools/demo/wait';

/**
 * Keeps the driver from moving an organization's Stripe clock while the webhooks of its last step (subscribe, a card
 * change, a cancel, the previous renewal) are still on their way to the workflow.
 *
 * A real organization's steps are days or weeks apart; the bench's are milliseconds apart. Moving the clock while the
 * workflow still handled the last step's webhooks made that task read the subscription after the move (Stripe's
 * truth had jumped a period ahead), so it closed the run while the move's own webhooks were arriving, and the server
 * refused the close (`UnhandledCommand`; a full replay). Read from the failed tasks' histories of a 50 × 12 run:
 * every one of them was of this kind (the subscribe's invoice events against the trial's end, a card change against
 * the declined renewal, a cancel against the period's end).
 *
 * Quiet means: none of the organization's stored events is waiting for the relay (an indexed count), and still none
 * `settleMs` later (webhooks the simulator still had in flight have been stored by then), and the workflow has no
 * task scheduled or running (DescribeWorkflowExecution's pending workflow task: the last signal has been handled).
 */
export function createInboxQuiet(
  db: Db,
  temporal: Client,
  opts: { timeoutMs: number; settleMs?: number; intervalMs?: number; counters: { describes: number } },
) {
  const settleMs = opts.settleMs ?? 250;
  const intervalMs = opts.intervalMs ?? 100;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function pending(organizationId: string): Promise<number> {
    const row = await db
      .selectFrom('stripe_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', organizationId)
      .where('relay_status', '=', 'pending')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The workflow has a task scheduled or running: the last signal is not handled yet (on a busy machine, seconds).
   * The raw RPC: the handle's `describe()` also decodes the memo and search attributes, which the driver never reads.
   */
  async function taskPending(organizationId: string): Promise<boolean> {
    opts.counters.describes += 1;
    const raw = await temporal.workflowService.describeWorkflowExecution({
      namespace: temporal.options.namespace,
      execution: { workflowId: subscriptionWorkflowId(organizationId) },
    });
    return Boolean(raw.pendingWorkflowTask);
  }

  /** The subscribe's first invoice ($0 for a trial, paid when finalized) is in the mirror as paid. */
  async function firstInvoicePaid(organizationId: string): Promise<boolean> {
    const row = await db
      .selectFrom('invoices')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('status', '=', 'paid')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * `afterSubscribe`: also wait for the first invoice's webhooks to have been relayed. When every organization
   * subscribes in the same second, the simulator's deliveries queue (`--webhook-max-in-flight`), so an empty inbox
   * does not yet mean the subscribe's webhooks have arrived.
   */
  return function quiet(organizationId: string, what: string, opts2: { afterSubscribe?: boolean } = {}) {
    return waitFor(
      `${organizationId} to be quiet before ${what}`,
      async () => {
        const waiting = await pending(organizationId);
        if (waiting > 0) return notYet(`${waiting} events pending for the relay`);
        if (opts2.afterSubscribe && !(await firstInvoicePaid(organizationId)))
          return notYet('the first invoice not yet paid in the mirror');
        await sleep(settleMs);
        if ((await pending(organizationId)) > 0) return notYet(`events stored within ${settleMs} ms`);
        if (await taskPending(organizationId)) return notYet('a workflow task pending');
        return done(undefined);
      },
      { timeoutMs: opts.timeoutMs, intervalMs },
    );
  };
}
export type InboxQuiet = ReturnType<typeof createInboxQuiet>;
