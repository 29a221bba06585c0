import { passTrialEnd, subscribeStep, type TrialClock } from './common-steps';
import { stripeSubscriptionOf, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv } from './types';

/** Scheduled retries in the demo policy profile (src/domain/policy-profiles.ts), for the wording only. */
const RETRIES = 4;
/** A deadline further away than this on Temporal's clock cannot be the demo profile's seconds. */
const DEMO_HORIZON_MS = 10 * 60_000;

/** Initech: the card keeps failing; retries and grace run on Temporal's clock, then back to free. */
export function initechChapter(org: DemoOrg, env: StoryEnv): Chapter {
  const trial: TrialClock = { trialEnd: 0 };
  return {
    org,
    premise:
      'Starter with a card that always fails → retries → grace period → canceled, back on free (nothing deleted)',
    gaps: [],
    steps: [
      subscribeStep(org, 'starter', 'pm_card_chargeCustomerFail', trial),
      {
        title: 'first charge fails',
        async run() {
          await passTrialEnd(org, trial);
          const state = await waitForReadModel(
            org,
            'past_due after the declined charge',
            (s) => s.subscription?.status === 'past_due' && s.subscription.graceEndsAt !== null,
          );
          const graceEndsAt = Date.parse(state.subscription?.graceEndsAt ?? '');
          // Dunning deadlines live on Temporal's clock; with the demo policy they are seconds away.
          if (graceEndsAt - Date.now() > DEMO_HORIZON_MS) {
            throw new Error(
              `the workflow set the grace end to ${new Date(graceEndsAt).toISOString()}, ${((graceEndsAt - Date.now()) / 86_400_000).toFixed(1)} days away on Temporal's clock: ` +
                "either the API/worker do not run with BILLING_POLICY_PROFILE=demo, or the dunning schedule is anchored on Stripe's (test clock) time, which is ahead of Temporal's",
            );
          }
          const mail = await org.mailbox.waitFor('payment_failed');
          return `trial over → charge declined → past_due; grace ends ${new Date(graceEndsAt).toISOString().slice(11, 19)} UTC on Temporal's clock · emailed "${mail.subject}"`;
        },
      },
      {
        title: `${RETRIES} retries on Temporal's clock`,
        async run() {
          await org.mailbox.waitFor('payment_failed', 1 + RETRIES, 90_000);
          const state = await org.api.getSubscription();
          return `${RETRIES} automatic retries (demo policy: seconds apart), each declined and emailed · still ${state.subscription?.status} on ${state.effectivePlan} during dunning`;
        },
      },
      {
        title: 'grace period ends',
        async run() {
          const state = await waitForReadModel(
            org,
            'canceled after the grace period',
            (s) => s.subscription?.status === 'canceled',
            90_000,
          );
          const stripeSub = await stripeSubscriptionOf(env.stripe, org);
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: the failed invoice uncollectible`,
            (i) => i.status === 'uncollectible',
          );
          const notice = await org.mailbox.waitFor('final_notice');
          const canceled = await org.mailbox.waitFor('subscription_canceled');
          return `grace over → canceled (Stripe: ${stripeSub.status}), invoice ${usd(invoice.amountDue)} uncollectible, now on ${state.effectivePlan} · emailed "${notice.subject}" and "${canceled.subject}"`;
        },
      },
    ],
    expected: () => ({
      effectivePlan: 'free',
      status: 'canceled',
      paidInvoices: 1,
      unpaidInvoices: 1,
      emails: { payment_failed: 1 + RETRIES, final_notice: 1, subscription_canceled: 1 },
    }),
  };
}
