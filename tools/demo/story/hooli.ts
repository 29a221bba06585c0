import type Stripe from 'stripe';
import { ingestUsage } from '../api-client';
import { HOUR_MS, passTrialEnd, subscribeStep, type TrialClock } from './common-steps';
import { day, isPaidCycle, stripeSubscriptionOf, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv, Step } from './types';
import { done, notYet, waitFor } from '../wait';

const idOf = (ref: string | { id: string }): string => (typeof ref === 'string' ? ref : ref.id);

const LIMIT = 10_000;

/** Hooli: heavy messaging on Starter crosses 80 % and 100 % of the limit; overage is billed through Stripe meters. */
export function hooliChapter(org: DemoOrg, env: StoryEnv): Chapter {
  const trial: TrialClock = { trialEnd: 0 };
  const gaps: string[] = [];
  let sent = 0;
  let overageBilled = false;
  let periodEnd = 0;
  const alertsExpected: Record<string, number> = env.serviceToken ? { usage_threshold: 2 } : {};
  if (!env.serviceToken)
    gaps.push('usage: no service token to report usage with (set USAGE_SERVICE_TOKENS for the API and the demo)');

  const send = async (token: string, quantities: number[]): Promise<void> => {
    // Usage is reported in real time; with test clocks the API counts it in the period Stripe's clock is in.
    const events = quantities.map((quantity, i) => ({
      id: `${org.organizationId}-messages-${sent + i}`,
      organizationId: org.organizationId,
      metric: 'messages' as const,
      quantity,
      timestamp: new Date().toISOString(),
    }));
    const result = await ingestUsage(env.apiUrl, token, events);
    if (result.accepted !== events.length)
      throw new Error(
        `usage ingestion accepted ${result.accepted} of ${events.length}: ${JSON.stringify(result.rejected)}`,
      );
    sent += quantities.reduce((a, b) => a + b, 0);
  };

  const usageSteps = (token: string): Step[] => [
    {
      title: 'trial ends',
      async run() {
        // Stripe does not bill metered usage during a trial, so the story's usage happens in the first paid period.
        await passTrialEnd(org, trial);
        const state = await waitForReadModel(
          org,
          `${org.name}: first paid period`,
          (st) => st.subscription?.status === 'active',
        );
        const paid = await waitForInvoice(org.api, `${org.name}: first invoice paid`, isPaidCycle);
        periodEnd = Date.parse(state.subscription?.currentPeriodEnd ?? '');
        return `trial over → ${usd(paid.amountPaid)} paid · period until ${day(periodEnd)}`;
      },
    },
    {
      title: 'sends 8,000 messages',
      async run() {
        await send(
          token,
          Array.from({ length: 8 }, () => 1_000),
        );
        const mail = await org.mailbox.waitFor('usage_threshold');
        return `POST /usage/events (service token) 8 × 1,000 messages → ${sent.toLocaleString('en-US')} of ${LIMIT.toLocaleString('en-US')} · emailed "${mail.subject}"`;
      },
    },
    {
      title: 'sends 2,500 more',
      async run() {
        await send(token, [1_000, 1_000, 500]);
        const mail = await org.mailbox.waitFor('usage_threshold', 2);
        const check = await org.api.checkEntitlement('messages', 100);
        const terms = check.overage
          ? `allowed as overage at ${usd(check.overage.terms.unitAmount)} per ${check.overage.terms.blockSize.toLocaleString('en-US')}`
          : 'no overage terms';
        return `${check.used.toLocaleString('en-US')} of ${LIMIT.toLocaleString('en-US')} · emailed "${mail.subject}" · check 100 more: ${check.allowed ? terms : 'denied'}`;
      },
    },
    {
      title: 'overage on the renewal invoice',
      async run() {
        const subscription = await stripeSubscriptionOf(env.stripe, org);
        const metered = subscription.items.data.find(
          (item) =>
            item.price.recurring?.usage_type === 'metered' &&
            item.price.lookup_key === 'billing_starter_messages_overage',
        );
        if (!metered) {
          const gap =
            'overage billing: the Stripe subscription has no metered messages overage price, so Stripe has nothing to bill the overage on';
          gaps.push(gap);
          return `⚠ not billed — ${gap}`;
        }
        // The worker reports new overage blocks to the billing meter each round; wait until Stripe has them.
        const blocks = Math.ceil((sent - LIMIT) / 1_000);
        const meter = typeof metered.price.recurring?.meter === 'string' ? metered.price.recurring.meter : '';
        const period = { start: metered.current_period_start, end: metered.current_period_end };
        await waitFor(
          `${org.name}: ${blocks} overage block(s) on Stripe's meter`,
          async () => {
            const [summary] = (
              await env.stripe.billing.meters.listEventSummaries(meter, {
                customer: idOf(subscription.customer),
                start_time: period.start,
                end_time: period.end,
              })
            ).data;
            return (summary?.aggregated_value ?? 0) >= blocks
              ? done(summary?.aggregated_value)
              : notYet(`${summary?.aggregated_value ?? 0} block(s)`);
          },
          { timeoutMs: 60_000 },
        );
        await org.clock.advanceTo(periodEnd + HOUR_MS);
        const line = await overageLine(env.stripe, subscription.id, metered.price.id);
        overageBilled = true;
        const renewal = await waitForInvoice(org.api, `${org.name}: renewal invoice with overage paid`, isPaidCycle, 2);
        return `renewed → invoice carries "${line.description}" ${usd(line.amount)} · ${usd(renewal.amountPaid)} paid`;
      },
    },
  ];

  return {
    org,
    premise:
      'Starter; after the trial its services send messages past 80 % and 100 % of the limit → alerts → overage billed on the renewal invoice',
    gaps,
    steps: [
      subscribeStep(org, 'starter', 'pm_card_visa', trial),
      ...(env.serviceToken ? usageSteps(env.serviceToken) : []),
    ],
    expected: () => ({
      effectivePlan: 'starter',
      status: env.serviceToken ? 'active' : 'trialing',
      // the trial's $0 invoice, the first period, and the renewal carrying the overage
      paidInvoices: overageBilled ? 3 : env.serviceToken ? 2 : 1,
      unpaidInvoices: 0,
      emails: alertsExpected,
    }),
  };
}

/** The metered line on the subscription's newest invoice, as Stripe shows it. */
async function overageLine(stripe: Stripe, subscriptionId: string, priceId: string): Promise<Stripe.InvoiceLineItem> {
  const [invoice] = (await stripe.invoices.list({ subscription: subscriptionId, limit: 1 })).data;
  const line = invoice?.lines.data.find((l) => l.pricing?.price_details?.price === priceId && l.amount > 0);
  if (!line) throw new Error(`the newest invoice (${invoice?.id ?? 'none'}) has no overage line for price ${priceId}`);
  return line;
}
