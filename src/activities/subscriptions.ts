import { ApplicationFailure } from '@temporalio/activity';
import type Stripe from 'stripe';
import { automaticTaxParams, taxOf } from '../stripe/automatic-tax';
import { declineMessage } from '../domain/decline-messages';
import { PLANS, type PlanId } from '../domain/plans';
import { BILLING_INTERVALS, DEFAULT_TERMS, renewalAmount, type Terms } from '../domain/pricing';
import {
  INVOICE_EXPAND,
  lastPaymentError,
  loadSubscriptionSnapshot,
  SUBSCRIPTION_EXPAND,
  toInvoiceSnapshot,
} from '../stripe/snapshots';
import { actionNeeded } from '../domain/subscription/payment-action';
import type { ActivityDeps } from './deps';
import { DISCOUNT_EXPAND, judgedPromotionCode } from './discounts';
import { productIdFor } from '../stripe/catalog-sync';
import { idempotencyKey } from '../domain/subscription/stripe';
import { itemsForPrices, itemsOf, planItem, pricesFor } from './prices';
import { followsWorkflowClock, followWorkflowClock } from './test-clock';
import type {
  ChangePlanInput,
  ChangePlanOutcome,
  CancelSubscriptionInput,
  CreateContractSubscriptionInput,
  CreateSubscriptionInput,
  ExtendTrialInput,
  FetchSubscriptionInput,
  PlanChangePreview,
  PreviewPlanChangeInput,
  SetCancelAtPeriodEndInput,
  SubscriptionSnapshot,
} from './types';
import { classifyStripeError } from '../stripe/errors';
import { refundOrReport, refundUnusedTime } from './cancel-refund';

export function subscriptionActivities(deps: ActivityDeps) {
  const { stripe } = deps;
  const tax = automaticTaxParams(deps.stripeTax);
  const snapshot = (sub: Stripe.Subscription) => loadSubscriptionSnapshot(stripe, sub);
  /** The subscription, its plan item, and the items[] that move it to (plan, terms): plan, seats, add-ons, overage. */
  const planChange = async (subscriptionId: string, plan: PlanId, terms: Terms = DEFAULT_TERMS) => {
    const [sub, prices] = await Promise.all([
      stripe.subscriptions.retrieve(subscriptionId),
      pricesFor(stripe, plan, terms),
    ]);
    const item = planItem(sub);
    if (!item)
      throw ApplicationFailure.create({
        type: 'InvalidRequest',
        nonRetryable: true,
        message: `subscription ${subscriptionId} has no plan item`,
      });
    return { item, items: itemsForPrices(sub, prices) };
  };

  return {
    /**
     * allow_incomplete: without a trial the first invoice is paid now, on session. A decline cancels the incomplete
     * subscription and fails with the decline (nothing is left behind); a payment that needs the customer (3-D
     * Secure) leaves it `incomplete` with the invoice's PaymentIntent in `requires_action`, for the customer to
     * complete within Stripe's 23 hours. A trial that ends without a payment method cancels (trial_settings).
     */
    async createSubscription(input: CreateSubscriptionInput): Promise<SubscriptionSnapshot> {
      const prices = await pricesFor(stripe, input.plan, input.terms);
      const promotionCodeId = input.promotionCode
        ? await judgedPromotionCode(stripe, input.promotionCode, {
            products: [productIdFor(PLANS[input.plan])],
            customer: input.customerId,
            currency: input.currency ?? 'usd',
            now: input.asOf,
          })
        : null;
      const sub = await stripe.subscriptions.create(
        {
          customer: input.customerId,
          // The plan's price, seats and add-on packs, plus its metered overage prices (billed in arrears from the
          // billing meters), all on the terms' interval.
          items: itemsOf(prices),
          metadata: { organization_id: input.organizationId, plan: input.plan },
          payment_behavior: 'allow_incomplete',
          ...(input.paymentMethodId && { default_payment_method: input.paymentMethodId }),
          ...(input.trialDays > 0 && {
            trial_period_days: input.trialDays,
            trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
          }),
          ...(promotionCodeId && { discounts: [{ promotion_code: promotionCodeId }] }),
          // The catalog's prices carry EUR as currency_options; Stripe charges the option this names.
          ...(input.currency && { currency: input.currency }),
          ...tax,
          expand: promotionCodeId ? DISCOUNT_EXPAND : SUBSCRIPTION_EXPAND,
        },
        { idempotencyKey: idempotencyKey.createSubscription(input.organizationId, input.step) },
      );
      return firstPaymentSettled(stripe, sub, input.step);
    },

    /**
     * An enterprise contract: its own price (on a product of its own; metadata.plan=enterprise is how the snapshot
     * knows it), and a subscription on it. By invoice: Stripe finalizes each invoice, emails it and expects payment
     * within days_until_due (no card needed). By card: as subscribe without a trial, a decline leaves nothing behind.
     */
    async createContractSubscription(input: CreateContractSubscriptionInput): Promise<SubscriptionSnapshot> {
      const { contract, organizationId } = input;
      const price = await stripe.prices.create(
        {
          currency: contract.currency,
          unit_amount: contract.amount,
          recurring: { interval: contract.interval },
          product_data: { name: `Enterprise contract (${organizationId})` },
          metadata: { plan: 'enterprise', organization_id: organizationId },
        },
        { idempotencyKey: idempotencyKey.contractPrice(organizationId, input.step) },
      );
      const collection =
        contract.collection.method === 'send_invoice'
          ? { collection_method: 'send_invoice' as const, days_until_due: contract.collection.daysUntilDue }
          : { payment_behavior: 'allow_incomplete' as const };
      const sub = await stripe.subscriptions.create(
        {
          customer: input.customerId,
          items: [{ price: price.id }],
          metadata: { organization_id: organizationId, plan: 'enterprise' },
          ...collection,
          ...tax,
          expand: SUBSCRIPTION_EXPAND,
        },
        { idempotencyKey: idempotencyKey.createSubscription(organizationId, input.step) },
      );
      return firstPaymentSettled(stripe, sub, input.step);
    },

    /**
     * upgrade: prorations invoiced and charged now; pending_if_incomplete keeps the old price unless that
     * payment succeeds, and the unpaid proration invoice is voided so it is not collected later.
     * next_period: the price changes without proration; Stripe bills it from the next renewal.
     */
    async changePlan({ subscriptionId, plan, mode, step, terms }: ChangePlanInput): Promise<ChangePlanOutcome> {
      const { items } = await planChange(subscriptionId, plan, terms);
      const key = idempotencyKey.updateSubscription(subscriptionId, step);
      if (mode === 'next_period') {
        const sub = await stripe.subscriptions.update(
          subscriptionId,
          { items, proration_behavior: 'none', ...tax, expand: SUBSCRIPTION_EXPAND },
          { idempotencyKey: key },
        );
        return { outcome: 'applied', subscription: await snapshot(sub) };
      }
      try {
        const sub = await stripe.subscriptions.update(
          subscriptionId,
          {
            items,
            proration_behavior: 'always_invoice',
            payment_behavior: 'pending_if_incomplete',
            // No automatic_tax here: a pending update takes only its own few attributes (Stripe's pending updates
            // reference); the subscription keeps the setting it was created or last updated with.
            expand: SUBSCRIPTION_EXPAND,
          },
          { idempotencyKey: key },
        );
        if (!sub.pending_update) return { outcome: 'applied', subscription: await snapshot(sub) };
        const invoiceId = typeof sub.latest_invoice === 'string' ? sub.latest_invoice : sub.latest_invoice?.id;
        const invoice = invoiceId ? await stripe.invoices.retrieve(invoiceId, { expand: INVOICE_EXPAND }) : null;
        // Needs the customer (3-D Secure): Stripe keeps the change pending until paid, or drops it when it expires.
        const open = invoice && toInvoiceSnapshot(invoice);
        if (open && actionNeeded(open)) {
          return {
            outcome: 'requires_action',
            invoice: open,
            expiresAt: sub.pending_update.expires_at * 1000,
            subscription: await snapshot(sub),
          };
        }
        if (invoice?.status === 'open') await stripe.invoices.voidInvoice(invoice.id);
        const error = (invoice && lastPaymentError(invoice)) ?? {
          code: 'card_declined',
          declineCode: null,
          adviceCode: null,
          message: declineMessage(null),
        };
        return { outcome: 'declined', error, invoiceId: invoice?.id ?? null };
      } catch (err) {
        const c = classifyStripeError(err);
        if (c.code !== 'CARD_DECLINED') throw err;
        return {
          outcome: 'declined',
          error: { code: c.stripeCode, declineCode: c.declineCode, adviceCode: c.adviceCode, message: c.message },
          invoiceId: null,
        };
      }
    },

    async previewPlanChange({
      subscriptionId,
      plan,
      terms,
      timing,
    }: PreviewPlanChangeInput): Promise<PlanChangePreview> {
      const target = terms ?? DEFAULT_TERMS;
      const renewalAmounts = Object.fromEntries(
        BILLING_INTERVALS.map((interval) => [interval, renewalAmount(plan, { ...target, interval })]),
      ) as PlanChangePreview['renewalAmounts'];
      if (timing === 'at_renewal') {
        // Nothing is charged now: the schedule switches the items at the period end, without proration.
        const sub = await stripe.subscriptions.retrieve(subscriptionId);
        return {
          plan,
          currency: sub.currency,
          amountDueNow: 0,
          prorationAmount: 0,
          nextRenewalAmount: renewalAmount(plan, target),
          prorationDate: (planItem(sub)?.current_period_end ?? 0) * 1000,
          effective: 'at_renewal',
          terms: target,
          renewalAmounts,
        };
      }
      const { item, items } = await planChange(subscriptionId, plan, target);
      // No proration_date: Stripe prorates as of its own clock for this customer (a test clock in test
      // mode), the same instant a confirmed change would use.
      const preview = await stripe.invoices.createPreview({
        subscription: subscriptionId,
        subscription_details: { items, proration_behavior: 'always_invoice' },
        ...tax,
      });
      const prorationLines = preview.lines.data.filter((line) => line.parent?.subscription_item_details?.proration);
      const prorationAmount = prorationLines.reduce((sum, line) => sum + line.amount, 0);
      const prorationDate = prorationLines[0]?.period.start ?? preview.created;
      return {
        plan,
        currency: preview.currency,
        amountDueNow: preview.amount_due,
        prorationAmount,
        nextRenewalAmount: renewalAmount(plan, target) || (item.price.unit_amount ?? 0),
        prorationDate: prorationDate * 1000,
        ...(deps.stripeTax && taxOf(preview)),
        effective: 'now',
        terms: target,
        renewalAmounts,
      };
    },

    async setCancelAtPeriodEnd({
      subscriptionId,
      cancelAtPeriodEnd,
      step,
    }: SetCancelAtPeriodEndInput): Promise<SubscriptionSnapshot> {
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        { cancel_at_period_end: cancelAtPeriodEnd, ...tax, expand: SUBSCRIPTION_EXPAND },
        { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) },
      );
      return snapshot(sub);
    },

    async extendTrial({ subscriptionId, trialEnd, step }: ExtendTrialInput): Promise<SubscriptionSnapshot> {
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        {
          trial_end: Math.floor(trialEnd / 1000),
          proration_behavior: 'none',
          ...tax,
          expand: SUBSCRIPTION_EXPAND,
        },
        { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) },
      );
      return snapshot(sub);
    },

    /**
     * Ends access now, with no final invoice. Stripe prorates nothing (`prorate: false`); with `refundUnusedTime`
     * (CANCEL_REFUND=prorated) the unused time of the paid period is refunded through credit notes
     * (cancel-refund.ts), also when a retried attempt finds the subscription already canceled.
     */
    async cancelSubscription({
      subscriptionId,
      step,
      refundUnusedTime: refund,
    }: CancelSubscriptionInput): Promise<SubscriptionSnapshot> {
      const current = await stripe.subscriptions.retrieve(subscriptionId, { expand: SUBSCRIPTION_EXPAND });
      const ended = current.status === 'canceled' || current.status === 'incomplete_expired';
      const sub = ended
        ? current
        : await stripe.subscriptions.cancel(
            subscriptionId,
            { invoice_now: false, prorate: false, expand: SUBSCRIPTION_EXPAND },
            { idempotencyKey: idempotencyKey.cancelSubscription(subscriptionId, step) },
          );
      // When access ended: a subscription Stripe already ended at its period end (a cancel at period end this
      // request raced) has nothing unused, though its canceled_at is when that cancel was asked.
      const endedAt = sub.ended_at ?? sub.canceled_at;
      if (refund && endedAt !== null)
        await refundOrReport(() => refundUnusedTime(deps, { subscriptionId, canceledAt: endedAt * 1000, step }), {
          subscriptionId,
          step,
        });
      return snapshot(sub);
    },

    async fetchSubscription({ subscriptionId, asOf }: FetchSubscriptionInput): Promise<SubscriptionSnapshot> {
      // The customer is only needed to move its clock first; otherwise one retrieve answers.
      if (followsWorkflowClock(deps)) {
        const first = await stripe.subscriptions.retrieve(subscriptionId);
        await followWorkflowClock(deps, typeof first.customer === 'string' ? first.customer : first.customer.id, asOf);
      }
      return snapshot(await stripe.subscriptions.retrieve(subscriptionId, { expand: SUBSCRIPTION_EXPAND }));
    },
  };
}

/**
 * allow_incomplete on a charged first invoice: a decline cancels the incomplete subscription and fails with the
 * decline (nothing is left behind); a payment that needs the customer leaves it incomplete for them to complete.
 */
async function firstPaymentSettled(
  stripe: Stripe,
  sub: Stripe.Subscription,
  step: string,
): Promise<SubscriptionSnapshot> {
  const created = await loadSubscriptionSnapshot(stripe, sub);
  const invoice = created.latestInvoice;
  if (created.stripeStatus !== 'incomplete' || !invoice || actionNeeded(invoice)) return created;
  await stripe.subscriptions.cancel(
    sub.id,
    {},
    { idempotencyKey: idempotencyKey.cancelSubscription(sub.id, `declined:${step}`) },
  );
  const error = invoice.lastPaymentError ?? {
    code: 'card_declined',
    declineCode: null,
    adviceCode: null,
    message: declineMessage(null),
  };
  throw ApplicationFailure.create({
    type: 'CardDeclined',
    message: error.message,
    nonRetryable: true,
    details: [error],
  });
}
