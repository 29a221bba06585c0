import type { Db } from '../../src/db/database';

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
 * `settleMs` later, by which time the webhooks the simulator had still in flight have been stored and the
 * workflow's task for the last signal has ended (a few to a few hundred milliseconds on this machine).
 */
export function createInboxQuiet(db: Db, opts: { timeoutMs: number; settleMs?: number; intervalMs?: number }) {
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

  return async function quiet(organizationId: string, what: string): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`${organizationId}: webhooks still pending ${opts.timeoutMs / 1000} s before ${what}`);
      if ((await pending(organizationId)) > 0) {
        await sleep(intervalMs);
        continue;
      }
      await sleep(settleMs);
      if ((await pending(organizationId)) === 0) return;
    }
  };
}
export type InboxQuiet = ReturnType<typeof createInboxQuiet>;
