import { passTrialEnd, subscribeStep, type TrialClock } from './common-steps';
import { stripeSubscriptionOf, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv } from './types';

/** Globex: the card fails at the first charge, dunning starts, a new card recovers the subscription. */
export function globexChapter(org: DemoOrg, env: StoryEnv): Chapter {
  const trial: TrialClock = { trialEnd: 0 };
  return {
    org,
    premise:
      'Professional with a card that fails (pm_card_chargeCustomerFail) → past_due and dunning emails → new card → recovered',
    gaps: [],
    steps: [
      subscribeStep(org, 'professional', 'pm_card_chargeCustomerFail', trial),
      {
        title: 'first charge fails',
        async run() {
          await passTrialEnd(org, trial);
          await waitForReadModel(
            org,
            'past_due after the declined charge',
            (s) => s.subscription?.status === 'past_due',
          );
          const stripeStatus = (await stripeSubscriptionOf(env.stripe, org)).status;
          const mail = await org.mailbox.waitFor('payment_failed');
          return `trial over → charge declined → past_due (Stripe: ${stripeStatus}) · emailed "${mail.subject}"`;
        },
      },
      {
        title: 'updates the card',
        async run() {
          const result = await org.api.updatePaymentMethod('pm_card_visa');
          if (result.retry !== 'paid')
            throw new Error(`the immediate retry with the new card answered ${result.retry}`);
          const state = await waitForReadModel(
            org,
            'active after the new card paid',
            (s) => s.subscription?.status === 'active',
          );
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: the failed invoice paid`,
            (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid' && i.amountPaid > 0,
          );
          const mail = await org.mailbox.waitFor('payment_recovered');
          return `POST /payment-method pm_card_visa → retried at once, ${usd(invoice.amountPaid)} paid → ${state.subscription?.status} · emailed "${mail.subject}"`;
        },
      },
    ],
    expected: () => ({
      effectivePlan: 'professional',
      status: 'active',
      paidInvoices: 2,
      unpaidInvoices: 0,
      emails: { payment_failed: 1, payment_recovered: 1 },
    }),
  };
}
