import { proxyActivities } from '@temporalio/workflow';
import type { BillingActivities } from '../activities/types';

/**
 * Stripe calls retry transient failures (429, 5xx, timeouts) with backoff, a bounded number of times: every
 * write carries an idempotency key, so a retry is safe; declines and invalid requests are non-retryable
 * ApplicationFailures raised by the activity and surface at once.
 */
export const stripe = proxyActivities<BillingActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 6 },
});

/** Postgres and the outbox: local, idempotent writes; retried a little longer since they must land. */
export const local = proxyActivities<Pick<BillingActivities, 'projectSubscription' | 'notify'>>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 10 },
});
