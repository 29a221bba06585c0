import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';
import type { StripeEventSignal } from '../../../src/webhooks/workflow-target';

/**
 * Stands in for the subscription workflow (same type name, signal name and id scheme) on a
 * test's own task queue, recording every signal so tests can see what the relay delivered.
 */
export const stripeEvent = defineSignal<[StripeEventSignal]>('stripeEvent');
export const finish = defineSignal('finish');
export const received = defineQuery<{ input: unknown; signals: StripeEventSignal[]; effective: string[] }>('received');

export async function subscriptionWorkflow(input: unknown): Promise<void> {
  const signals: StripeEventSignal[] = [];
  // Like the real workflow: an event id seen before has no further effect.
  const effective: string[] = [];
  let done = false;
  setHandler(stripeEvent, (s) => {
    signals.push(s);
    if (!effective.includes(s.eventId)) effective.push(s.eventId);
  });
  setHandler(finish, () => void (done = true));
  setHandler(received, () => ({ input, signals, effective }));
  await condition(() => done);
}

// The reconciliation workflow runs beside the stand-in, on the same queue, as it will on the billing worker.
export { reconciliationWorkflow } from '../../../src/reconciliation/workflow';
