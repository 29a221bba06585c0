import { loadSubscriptionSnapshot, SUBSCRIPTION_EXPAND } from '../stripe/snapshots';
import { idempotencyKey } from '../domain/subscription/stripe';
import type { ActivityDeps } from './deps';
import type { PauseCollectionInput, SubscriptionSnapshot, SubscriptionUpdateInput } from './types';

/**
 * Pause and resume. A pause is Stripe's `pause_collection`: the subscription stays `active` in Stripe and renews,
 * and the invoices made meanwhile are voided or marked uncollectible, never attempted. `resumes_at` is not sent:
 * the workflow's timer owns the date (domain/pause.ts). Resuming clears it; a subscription in Stripe's own
 * `paused` status (a trial that ended without a payment method under end_behavior=pause) is resumed with
 * /resume instead, which starts a new period now and invoices it.
 */
export function pauseActivities(deps: ActivityDeps) {
  const { stripe } = deps;
  return {
    async pauseCollection({ subscriptionId, behavior, step }: PauseCollectionInput): Promise<SubscriptionSnapshot> {
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        { pause_collection: { behavior }, expand: SUBSCRIPTION_EXPAND },
        { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) },
      );
      return loadSubscriptionSnapshot(stripe, sub);
    },

    async resumeCollection({ subscriptionId, step }: SubscriptionUpdateInput): Promise<SubscriptionSnapshot> {
      const key = { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) };
      const current = await stripe.subscriptions.retrieve(subscriptionId);
      const sub =
        current.status === 'paused'
          ? // Stripe's default billing_cycle_anchor for a resume is now: a new period starts and is invoiced.
            await stripe.subscriptions.resume(subscriptionId, { expand: SUBSCRIPTION_EXPAND }, key)
          : await stripe.subscriptions.update(
              subscriptionId,
              { pause_collection: '', expand: SUBSCRIPTION_EXPAND },
              key,
            );
      return loadSubscriptionSnapshot(stripe, sub);
    },
  };
}
