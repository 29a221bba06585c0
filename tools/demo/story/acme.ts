import { DAY_MS } from '../clock-driver';
import { HOUR_MS, passTrialEnd, subscribeStep, type TrialClock } from './common-steps';
import {
  day,
  isPaidCycle,
  stripeSubscriptionOf,
  usd,
  waitForInvoice,
  waitForDelivery,
  waitForReadModel,
  waitForStripeEvent,
} from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv, Step } from './types';

/** Acme: a trial that converts, renewals, then an upgrade with a previewed proration. */
export function acmeChapter(org: DemoOrg, env: StoryEnv): Chapter {
  const renewals = env.fast ? 1 : 2;
  const trial: TrialClock = { trialEnd: 0 };
  let previewed = 0;

  const renewal = (n: number): Step => ({
    title: `renewal ${n}`,
    async run() {
      const before = await org.api.getSubscription();
      await org.clock.advanceTo(Date.parse(before.subscription?.currentPeriodEnd ?? '') + HOUR_MS);
      const after = await waitForReadModel(
        org,
        `period after renewal ${n}`,
        (s) =>
          s.subscription?.currentPeriodEnd !== before.subscription?.currentPeriodEnd &&
          s.subscription?.status === 'active',
      );
      const paid = await waitForInvoice(org.api, `${org.name}: renewal ${n} invoice paid`, isPaidCycle, n + 1);
      return `renewed → period until ${day(after.subscription?.currentPeriodEnd)} · ${usd(paid.amountPaid)} paid`;
    },
  });
  const steps: Step[] = [
    subscribeStep(org, 'starter', 'pm_card_visa', trial),
    {
      title: 'trial reminder',
      async run() {
        await org.clock.advanceTo(trial.trialEnd - 3 * DAY_MS + HOUR_MS);
        const subscription = await stripeSubscriptionOf(env.stripe, org);
        const event = await waitForStripeEvent(env.stripe, 'customer.subscription.trial_will_end', subscription.id);
        const status = await waitForDelivery(env.simUrl, env.apiUrl, event.id);
        // The workflow's own reminder email is a timer on Temporal's clock (3 days before the trial ends in real time).
        return `Stripe: trial ends in 3 days (customer.subscription.trial_will_end) → signed webhook → API answered ${status}`;
      },
    },
    {
      title: 'trial ends',
      async run() {
        await passTrialEnd(org, trial);
        const state = await waitForReadModel(org, 'active after the trial', (s) => s.subscription?.status === 'active');
        const invoice = await waitForInvoice(org.api, `${org.name}: first invoice paid`, isPaidCycle);
        return `trial over → ${state.subscription?.status} · first invoice ${usd(invoice.amountPaid)} paid`;
      },
    },
    ...Array.from({ length: renewals }, (_, i) => renewal(i + 1)),
    {
      title: 'previews an upgrade',
      async run() {
        await org.clock.advanceBy(10 * DAY_MS);
        const preview = await org.api.previewChange('professional');
        previewed = preview.amountDueNow;
        return `10 days into the period · POST /subscription/preview professional → ${usd(preview.amountDueNow)} due now (proration)`;
      },
    },
    {
      title: 'upgrades to Professional',
      async run() {
        const result = await org.api.changePlan('professional');
        const invoice = await waitForInvoice(
          org.api,
          `${org.name}: proration invoice paid`,
          (i) => i.billingReason === 'subscription_update' && i.status === 'paid',
        );
        if (invoice.amountPaid !== previewed)
          throw new Error(
            `the proration invoice (${usd(invoice.amountPaid)}) differs from the preview (${usd(previewed)})`,
          );
        return `PATCH /subscription professional → ${result.change} · prorated invoice ${usd(invoice.amountPaid)} paid (= preview)`;
      },
    },
  ];

  return {
    org,
    premise: 'Starter with a 14-day trial and a Visa → trial ends → renewals → mid-period upgrade to Professional',
    steps,
    gaps: [],
    // Paid: the $0 trial invoice, the first period, each renewal, the proration.
    expected: () => ({
      effectivePlan: 'professional',
      status: 'active',
      paidInvoices: 3 + renewals,
      unpaidInvoices: 0,
      emails: {},
    }),
  };
}
