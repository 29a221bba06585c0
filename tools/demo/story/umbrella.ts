import { HOUR_MS, passTrialEnd, subscribeStep, type TrialClock } from './common-steps';
import { day, stripeSubscriptionOf, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv } from './types';

/** Umbrella: pays, then cancels at period end; access lasts until then and ends exactly then. */
export function umbrellaChapter(org: DemoOrg, env: StoryEnv): Chapter {
  const trial: TrialClock = { trialEnd: 0 };
  let periodEnd = 0;
  return {
    org,
    premise:
      'Starter, pays after the trial, cancels at period end → keeps access until then → ends on time, back on free',
    gaps: [],
    steps: [
      subscribeStep(org, 'starter', 'pm_card_mastercard', trial),
      {
        title: 'trial ends',
        async run() {
          await passTrialEnd(org, trial);
          const state = await waitForReadModel(
            org,
            'active after the trial',
            (s) => s.subscription?.status === 'active',
          );
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: first invoice paid`,
            (i) => i.status === 'paid' && i.amountPaid > 0,
          );
          return `trial over → ${state.subscription?.status} · ${usd(invoice.amountPaid)} paid`;
        },
      },
      {
        title: 'cancels at period end',
        async run() {
          await org.clock.advanceBy(5 * 86_400_000);
          const state = await org.api.cancel(false);
          periodEnd = Date.parse(state.subscription?.currentPeriodEnd ?? '');
          return `DELETE /subscription → cancelAtPeriodEnd=${state.subscription?.cancelAtPeriodEnd}, still ${state.subscription?.status} on ${state.effectivePlan} until ${day(periodEnd)}`;
        },
      },
      {
        title: 'period ends',
        async run() {
          await org.clock.advanceTo(periodEnd + HOUR_MS);
          const state = await waitForReadModel(
            org,
            'canceled at period end',
            (s) => s.subscription?.status === 'canceled',
          );
          const stripeSub = await stripeSubscriptionOf(env.stripe, org);
          const endedAt = (stripeSub.ended_at ?? 0) * 1000;
          if (endedAt !== periodEnd)
            throw new Error(
              `Stripe ended the subscription at ${new Date(endedAt).toISOString()}, not at the period end ${new Date(periodEnd).toISOString()}`,
            );
          const mail = await org.mailbox.waitFor('subscription_canceled');
          return `period over → ${state.subscription?.status} exactly at ${day(endedAt)} (Stripe: ${stripeSub.status}) · now on ${state.effectivePlan} · emailed "${mail.subject}"`;
        },
      },
    ],
    expected: () => ({
      effectivePlan: 'free',
      status: 'canceled',
      paidInvoices: 2,
      unpaidInvoices: 0,
      emails: { subscription_canceled: 1 },
    }),
  };
}
