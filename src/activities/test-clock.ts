import { testClockOfCustomer } from '../db/read-models/customers';
import type { ActivityDeps } from './deps';

const POLL_MS = 250;
const MAX_WAIT_MS = 60_000;

/** Whether reads must first move the customer's test clock (so a caller can skip looking the customer up). */
export function followsWorkflowClock(deps: ActivityDeps): boolean {
  return deps.testClocks && deps.testClocksFollowWorkflow === true;
}

/**
 * When the workflow drives time (testClocksFollowWorkflow), moves the customer's test clock forward to the
 * workflow's `asOf` and waits until Stripe has run everything due (renewals, charges) before we read.
 */
export async function followWorkflowClock(deps: ActivityDeps, customerId: string, asOf: number): Promise<void> {
  if (!followsWorkflowClock(deps)) return;
  const clockId = await testClockOfCustomer(deps.db, customerId);
  if (!clockId) return;
  const target = Math.floor(asOf / 1000);
  let clock = await deps.stripe.testHelpers.testClocks.retrieve(clockId);
  if (clock.frozen_time < target && clock.status === 'ready') {
    clock = await deps.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: target });
  }
  for (const started = Date.now(); clock.status !== 'ready' && Date.now() - started < MAX_WAIT_MS;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    clock = await deps.stripe.testHelpers.testClocks.retrieve(clockId);
  }
}
