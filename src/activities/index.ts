import { ApplicationFailure } from '@temporalio/common';
import { InvalidNotificationDataError } from '../notifications';
import { customerActivities } from './customers';
import type { ActivityDeps } from './deps';
import { classified } from './failures';
import { invoiceActivities } from './invoices';
import { discountActivities } from './discounts';
import { pauseActivities } from './pause';
import { projectionActivities } from './projection';
import { scheduleActivities } from './schedules';
import { subscriptionActivities } from './subscriptions';
import type { BillingActivities } from './types';

export type { ActivityDeps } from './deps';
export type { BillingActivities } from './types';

/** The worker registers these; every Stripe failure leaves an activity classified (see failures.ts). */
export function createActivities(deps: ActivityDeps): BillingActivities {
  return {
    ...classified(customerActivities(deps)),
    ...classified(subscriptionActivities(deps)),
    ...classified(invoiceActivities(deps)),
    ...classified(scheduleActivities(deps)),
    ...classified(pauseActivities(deps)),
    ...classified(discountActivities(deps)),
    ...projectionActivities(deps),
    notify: async (request) => {
      try {
        return await deps.notifier.enqueue(request);
      } catch (err) {
        // Data the template rejects will be rejected on every retry.
        if (err instanceof InvalidNotificationDataError)
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidNotificationData');
        throw err;
      }
    },
  };
}
