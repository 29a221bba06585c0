import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BillingActivities } from '../activities/types';
import { STRIPE_READS, type StripeCall, type StripeCallName } from '../domain/subscription';

const stripeRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  maximumAttempts: 6,
} as const;

/**
 * Stripe writes retry transient failures (429, 5xx, timeouts) with backoff, a bounded number of times: every
 * write carries an idempotency key, so a retry is safe; declines and invalid requests are non-retryable
 * ApplicationFailures raised by the activity and surface at once.
 */
const stripe = proxyActivities<BillingActivities>({ startToCloseTimeout: '30 seconds', retry: stripeRetry });

/**
 * Stripe reads as local activities: a re-fetch (one per relayed batch of events) costs no activity task and no
 * workflow task to take its result. A local read is recorded only when its workflow task completes, so a task
 * that fails after it reads again and may see something newer: projections are ordered by (version, history
 * length) so that retry wins (publish.ts).
 */
const reads = proxyLocalActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: stripeRetry,
});

/**
 * Postgres and the outbox: short idempotent writes to our own database, run as local activities in the worker
 * that runs the workflow task (no task-queue round trip, no activity events in history), retried a little
 * longer since they must land.
 */
export const writes = proxyLocalActivities<Pick<BillingActivities, 'projectSubscription' | 'notify'>>({
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '10 seconds',
    maximumAttempts: 10,
  },
});

/** Runs one Stripe call the policy asked for. */
export function callStripe(call: StripeCall): Promise<unknown> {
  const run = (STRIPE_READS.has(call.name) ? reads : stripe)[call.name as StripeCallName] as (
    input: unknown,
  ) => Promise<unknown>;
  return run(call.input);
}
