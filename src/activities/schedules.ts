import type Stripe from 'stripe';
import { idempotencyKey } from '../domain/subscription/stripe';
import { automaticTaxParams } from '../stripe/automatic-tax';
import { loadSubscriptionSnapshot, SUBSCRIPTION_EXPAND } from '../stripe/snapshots';
import type { ActivityDeps } from './deps';
import { itemsOf, planItem, pricesFor } from './prices';
import type {
  ReleaseScheduleInput,
  ScheduleChangeInput,
  ScheduleChangeResult,
  SubscriptionSnapshot,
} from '../domain/subscription/stripe';

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : v.id;

/**
 * Changes at the period boundary (a lower plan, yearly → monthly, fewer seats or add-on packs) through Stripe's
 * subscription schedules: the current phase keeps today's items until the period end, the next phase carries the
 * new ones for one interval, and `end_behavior: release` then leaves the subscription on them. Stripe bills the
 * ended period's metered usage at the old prices and the new period at the new ones, on one renewal invoice.
 * Releasing the schedule (resume) leaves the subscription exactly as it was.
 */
export function scheduleActivities(deps: ActivityDeps) {
  const { stripe } = deps;
  // Each phase says it explicitly: a phase without automatic_tax (nor one in default_settings) is taxed only by the
  // account's default (https://docs.stripe.com/tax/subscription-schedules/automatic-tax-default).
  const tax = automaticTaxParams(deps.stripeTax);
  const snapshot = async (subscriptionId: string) =>
    loadSubscriptionSnapshot(
      stripe,
      await stripe.subscriptions.retrieve(subscriptionId, { expand: SUBSCRIPTION_EXPAND }),
    );

  return {
    async scheduleChange(input: ScheduleChangeInput): Promise<ScheduleChangeResult> {
      const { subscriptionId, plan, terms, step } = input;
      const key = idempotencyKey.schedule(subscriptionId, step);
      const [sub, prices] = await Promise.all([
        stripe.subscriptions.retrieve(subscriptionId),
        pricesFor(stripe, plan, terms),
      ]);
      const existing = input.scheduleId ?? idOf(sub.schedule);
      const schedule = existing
        ? await stripe.subscriptionSchedules.retrieve(existing)
        : await stripe.subscriptionSchedules.create(
            { from_subscription: subscriptionId },
            { idempotencyKey: `${key}:create` },
          );
      const periodEnd = planItem(sub)?.current_period_end ?? 0;
      const current = currentPhase(schedule);
      await stripe.subscriptionSchedules.update(
        schedule.id,
        {
          end_behavior: 'release',
          proration_behavior: 'none',
          phases: [
            {
              items: current.items.map((item) => ({
                price: idOf(item.price) ?? '',
                ...(item.quantity !== undefined && item.quantity !== null && { quantity: item.quantity }),
              })),
              start_date: current.start_date,
              end_date: periodEnd,
              proration_behavior: 'none',
              ...tax,
            },
            {
              items: itemsOf(prices),
              duration: { interval: terms.interval, interval_count: 1 },
              proration_behavior: 'none',
              metadata: { plan },
              ...tax,
            },
          ],
        },
        { idempotencyKey: `${key}:phases` },
      );
      return { scheduleId: schedule.id, subscription: await snapshot(subscriptionId) };
    },

    async releaseSchedule({ subscriptionId, scheduleId, step }: ReleaseScheduleInput): Promise<SubscriptionSnapshot> {
      const schedule = await stripe.subscriptionSchedules.retrieve(scheduleId);
      // Released or canceled already (a retried activity, or the Dashboard): nothing left to undo.
      if (schedule.status === 'active' || schedule.status === 'not_started') {
        await stripe.subscriptionSchedules.release(
          scheduleId,
          { preserve_cancel_date: true },
          { idempotencyKey: idempotencyKey.schedule(subscriptionId, step) },
        );
      }
      return snapshot(subscriptionId);
    },
  };
}

/** The phase in force now (the schedule's current_phase names its dates). */
function currentPhase(schedule: Stripe.SubscriptionSchedule): Stripe.SubscriptionSchedule.Phase {
  const start = schedule.current_phase?.start_date;
  const phase = schedule.phases.find((p) => p.start_date === start) ?? schedule.phases[0];
  if (!phase) throw new Error(`subscription schedule ${schedule.id} has no phases`);
  return phase;
}
