import { z } from 'zod';
import type Stripe from 'stripe';
import { DAY_MS } from '../clock-driver';
import { day, usd, waitForInvoice, waitForReadModel } from './stripe-side';
import type { Chapter, DemoOrg, StoryEnv } from './types';

/** The customer's part of 3-D Secure: what Stripe's test challenge page does when the customer passes it. */
async function passChallenge(env: StoryEnv, paymentIntentId: string): Promise<void> {
  const res = await fetch(`${env.simUrl}/_sim/payment_intents/${paymentIntentId}/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'succeed' }),
  });
  if (!res.ok) throw new Error(`the simulator refused the 3-D Secure challenge of ${paymentIntentId}: ${res.status}`);
}

/** The PaymentIntent behind an invoice's hosted page (the page the emailed link opens). */
async function paymentIntentOf(stripe: Stripe, invoiceId: string): Promise<string> {
  const invoice = await stripe.invoices.retrieve(invoiceId, { expand: ['payments.data.payment.payment_intent'] });
  const intent = invoice.payments?.data.at(-1)?.payment.payment_intent;
  const id = typeof intent === 'string' ? intent : intent?.id;
  if (!id) throw new Error(`invoice ${invoiceId} has no PaymentIntent`);
  return id;
}

const ActionSchema = z.object({ invoiceId: z.string(), paymentIntentId: z.string() });

/**
 * Wernham: a European customer whose bank asks for 3-D Secure (Strong Customer Authentication under PSD2)
 * at the first payment and again at an off-session renewal. Nothing fails: the customer is asked, acts,
 * and the subscription carries on.
 */
export function wernhamChapter(org: DemoOrg, env: StoryEnv): Chapter {
  let periodEnd = 0;
  return {
    org,
    premise:
      'Starter on a European card that needs 3-D Secure (pm_card_authenticationRequired) → asked at subscribe, passes → renewal asks again → emailed link → paid',
    gaps: [],
    steps: [
      {
        title: 'subscribes on a European card',
        async run() {
          const state = await org.api.subscribe('starter', 'pm_card_authenticationRequired', undefined, {
            skipTrial: true,
          });
          await org.clock.attach();
          const action = state.subscription?.paymentAction;
          if (state.subscription?.status !== 'incomplete' || action?.type !== 'requires_action')
            throw new Error(`expected an incomplete subscription waiting for 3-D Secure, got ${JSON.stringify(state)}`);
          return `POST /subscription starter, no trial → ${state.subscription.status}, paymentAction ${action.type} (${action.paymentIntentId}) · still on ${state.effectivePlan}`;
        },
      },
      {
        title: 'passes 3-D Secure',
        async run() {
          const pending = ActionSchema.parse((await org.api.getSubscription()).subscription?.paymentAction);
          await passChallenge(env, pending.paymentIntentId);
          const state = await waitForReadModel(
            org,
            'active after 3-D Secure',
            (s) => s.subscription?.status === 'active',
          );
          periodEnd = Date.parse(state.subscription?.currentPeriodEnd ?? '');
          const invoice = await waitForInvoice(org.api, `${org.name}: first invoice paid`, (i) => i.status === 'paid');
          return `challenge passed → ${state.subscription?.status} on ${state.effectivePlan} · ${usd(invoice.amountPaid)} paid · renews ${day(periodEnd)}`;
        },
      },
      {
        title: 'renewal needs the bank again',
        async run() {
          await org.clock.advanceTo(periodEnd + DAY_MS / 24);
          const state = await waitForReadModel(
            org,
            'waiting for the customer after the renewal',
            (s) => s.subscription?.dunningPhase === 'action_required',
          );
          const mail = await org.mailbox.waitFor('payment_action_required');
          return `off-session renewal → ${state.subscription?.status}, dunning phase ${state.subscription?.dunningPhase} (no blind retries) · emailed "${mail.subject}" with the invoice link`;
        },
      },
      {
        title: 'confirms through the link',
        async run() {
          const pending = ActionSchema.parse((await org.api.getSubscription()).subscription?.paymentAction);
          await passChallenge(env, await paymentIntentOf(env.stripe, pending.invoiceId));
          const state = await waitForReadModel(org, 'active after the renewal was confirmed', (s) => {
            const sub = s.subscription;
            return sub?.status === 'active' && sub.dunningPhase == null && sub.paymentAction == null;
          });
          const invoice = await waitForInvoice(
            org.api,
            `${org.name}: renewal paid`,
            (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid',
          );
          return `hosted invoice page → challenge passed → ${usd(invoice.amountPaid)} paid → ${state.subscription?.status}, nothing pending`;
        },
      },
    ],
    expected: () => ({
      effectivePlan: 'starter',
      status: 'active',
      paidInvoices: 2,
      unpaidInvoices: 0,
      emails: { payment_action_required: 1 },
    }),
  };
}
