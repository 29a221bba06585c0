import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { StripeEventSignal } from '../../../src/workflows/messages';

/**
 * Stands in for the subscription workflow (same type name, signal name and id scheme) on a
 * test's own task queue, recording every signal (a stripeEvents signal as its events, in order, and its size) so tests can see what the relay delivered.
 */
export const stripeEvent = defineSignal<[StripeEventSignal]>('stripeEvent');
export const stripeEvents = defineSignal<[StripeEventSignal[]]>('stripeEvents');
export const finish = defineSignal('finish');
export const received = defineQuery<{
  input: unknown;
  signals: StripeEventSignal[];
  effective: string[];
  batches: number[];
}>('received');

export async function subscriptionWorkflow(input: unknown): Promise<void> {
  const signals: StripeEventSignal[] = [];
  /** Size of each stripeEvents signal, in arrival order. */
  const batches: number[] = [];
  // Like the real workflow: an event id seen before has no further effect.
  const effective: string[] = [];
  let done = false;
  const receive = (s: StripeEventSignal) => {
    signals.push(s);
    if (!effective.includes(s.eventId)) effective.push(s.eventId);
  };
  setHandler(stripeEvent, receive);
  setHandler(stripeEvents, (batch) => {
    batches.push(batch.length);
    batch.forEach(receive);
  });
  setHandler(finish, () => void (done = true));
  setHandler(received, () => ({ input, signals, effective, batches }));
  await condition(() => done);
}

// The reconciliation workflow runs beside the stand-in, on the same queue, as it will on the billing worker.
export { reconciliationWorkflow } from '../../../src/reconciliation/workflow';
