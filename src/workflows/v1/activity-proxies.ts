import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BillingActivities } from '../../activities/types';

/**
 * Stripe calls retry transient failures (429, 5xx, timeouts) with backoff, a bounded number of times: every
 * write carries an idempotency key, so a retry is safe; declines and invalid requests are non-retryable
 * ApplicationFailures raised by the activity and surface at once.
 */
export const stripe = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

type LocalWrites = Pick<BillingActivities, 'projectSubscription' | 'notify'>;
const localRetry = {
  initialInterval: '500 milliseconds',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: 10,
} as const;

/** Before the patch below: the read-model projection and the outbox write as ordinary activities. */
const scheduledWrites = proxyActivities<LocalWrites>({ startToCloseTimeout: '10 seconds', retry: localRetry });

/**
 * Postgres and the outbox: short, idempotent writes to our own database, retried a little longer since they
 * must land. They run as local activities, in the worker that runs the workflow task: no task-queue round
 * trip, no activity events in history, no extra workflow task, which is most of what the Temporal server
 * spent per subscription-year in the scale run (bench/scale.ts).
 */
const localWrites = proxyLocalActivities<LocalWrites>({
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: localRetry,
});

/**
 * Runs recorded before the switch to local activities replay with the scheduled ones (the patch marker is
 * absent from their history); every new run, and an old one once it is past its recorded history, uses
 * local activities.
 */
export function writes(): LocalWrites {
  return patched('local-activity-writes') ? localWrites : scheduledWrites;
}

type Reads = Pick<BillingActivities, 'fetchSubscription' | 'fetchInvoice'>;

/**
 * Stripe reads as local activities: a re-fetch (one per relayed batch of events, about one per billing period)
 * costs no activity task and no workflow task to take its result, a third of the workflow tasks per
 * subscription-year in the scale run. Same timeout and retry bound as the scheduled Stripe calls. Unlike a
 * scheduled activity's result, a local read is only recorded when its workflow task completes: a task that
 * fails after it (a signal arriving as the run continues as new) reads again, and may read something newer
 * than its failed attempt already projected; `commit` orders projections so the retry wins (context.ts).
 */
const localReads = proxyLocalActivities<Reads>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

/** Runs recorded before the reads became local replay with scheduled ones (the patch marker is absent). */
export function usesLocalReads(): boolean {
  return patched('local-activity-reads');
}

export function reads(): Reads {
  return usesLocalReads() ? localReads : stripe;
}
