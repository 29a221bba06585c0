import { discountView } from './discounts';
import type Stripe from 'stripe';
import type { InvoiceSnapshot, PaymentError, SubscriptionSnapshot } from '../activities/types';
import type { PaymentIntentSnapshot } from '../domain/subscription/stripe';
import { declineMessage } from '../domain/decline-messages';
import { planForLookupKey } from '../domain/plans';
import { priceRole, type AddOnId } from '../domain/pricing';

const ms = (seconds: number | null | undefined): number | null =>
  seconds === null || seconds === undefined ? null : seconds * 1000;
const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : v.id;

/**
 * Expansions for the snapshot. Stripe allows 4 levels, so the payment error of the latest invoice
 * (payments.data.payment.payment_intent) is read by a second retrieve of the invoice when it is unpaid.
 */
export const INVOICE_EXPAND = ['payments.data.payment.payment_intent'];
export const SUBSCRIPTION_EXPAND = ['latest_invoice'];

/** The most recent payment attempt's error, when Stripe included the expanded PaymentIntent. */
export function lastPaymentError(invoice: Stripe.Invoice): PaymentError | null {
  for (const p of [...(invoice.payments?.data ?? [])].reverse()) {
    const intent = p.payment.payment_intent;
    const error = intent && typeof intent !== 'string' ? intent.last_payment_error : null;
    if (error) {
      const declineCode = error.decline_code || error.code || null;
      return {
        code: error.code ?? null,
        declineCode,
        adviceCode: error.advice_code ?? null,
        message: declineMessage(declineCode, error.advice_code),
      };
    }
  }
  return null;
}

/**
 * The PaymentIntent of the invoice's latest payment, when Stripe included it expanded: `requires_action` means the
 * customer must authenticate, with its client secret (the invoice's confirmation_secret) for Stripe.js.
 */
export function latestPaymentIntent(invoice: Stripe.Invoice): PaymentIntentSnapshot | null {
  const intent = invoice.payments?.data.at(-1)?.payment.payment_intent;
  if (!intent || typeof intent === 'string') return null;
  return { id: intent.id, status: intent.status, clientSecret: intent.client_secret ?? null };
}

export function toInvoiceSnapshot(
  invoice: Stripe.Invoice,
  error: PaymentError | null = lastPaymentError(invoice),
): InvoiceSnapshot {
  return {
    id: invoice.id,
    status: invoice.status ?? 'draft',
    amountDue: invoice.amount_due,
    amountRemaining: invoice.amount_remaining,
    currency: invoice.currency,
    attemptCount: invoice.attempt_count,
    billingReason: invoice.billing_reason,
    finalizedAt: ms(invoice.status_transitions?.finalized_at ?? invoice.created) ?? 0,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    lastPaymentError: invoice.status === 'paid' ? null : error,
    paymentIntent: latestPaymentIntent(invoice),
    dueDate: ms(invoice.due_date),
  };
}

export function toSubscriptionSnapshot(
  sub: Stripe.Subscription,
  latest: Stripe.Invoice | null = expandedInvoice(sub.latest_invoice),
): SubscriptionSnapshot {
  // The plan item; seats, add-ons and metered overage items ride along with the plan's price.
  const licensed = sub.items.data.filter((i) => i.price.recurring?.usage_type !== 'metered');
  const item = licensed.find((i) => priceRole(i.price.lookup_key)?.kind === 'plan') ?? licensed[0] ?? sub.items.data[0];
  if (!item) throw new Error(`subscription ${sub.id} has no items`);
  let seats = 0;
  const addOns: Partial<Record<AddOnId, number>> = {};
  for (const i of licensed) {
    const role = priceRole(i.price.lookup_key);
    if (role?.kind === 'seat') seats += i.quantity ?? 0;
    if (role?.kind === 'addOn') addOns[role.addOn] = (addOns[role.addOn] ?? 0) + (i.quantity ?? 0);
  }
  return {
    id: sub.id,
    customerId: idOf(sub.customer) ?? '',
    organizationId: sub.metadata?.organization_id ?? null,
    stripeStatus: sub.status,
    plan: planForLookupKey(item.price.lookup_key) ?? roleOfPlan(item.price.lookup_key) ?? contractPlan(item.price),
    unitAmount: item.price.unit_amount ?? 0,
    currency: sub.currency,
    currentPeriodStart: item.current_period_start * 1000,
    currentPeriodEnd: item.current_period_end * 1000,
    trialEnd: ms(sub.trial_end),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    canceledAt: ms(sub.canceled_at),
    endedAt: ms(sub.ended_at),
    defaultPaymentMethodId: idOf(sub.default_payment_method),
    latestInvoice: latest ? toInvoiceSnapshot(latest) : null,
    pendingUpdateExpiresAt: ms(sub.pending_update?.expires_at),
    interval: item.price.recurring?.interval === 'year' ? 'year' : 'month',
    seats,
    addOns,
    scheduleId: idOf(sub.schedule),
    ...discountOf(sub),
    collectionMethod: sub.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    pauseCollection: sub.pause_collection && {
      behavior: sub.pause_collection.behavior,
      resumesAt: ms(sub.pause_collection.resumes_at),
    },
  };
}

/** An enterprise contract's own price (no lookup key: one per contract) names its plan in its metadata. */
function contractPlan(price: Stripe.Price): SubscriptionSnapshot['plan'] {
  return price.metadata?.plan === 'enterprise' ? 'enterprise' : null;
}

function roleOfPlan(lookupKey: string | null): SubscriptionSnapshot['plan'] {
  const role = priceRole(lookupKey);
  return role?.kind === 'plan' ? role.plan : null;
}

/** The snapshot of a subscription returned by Stripe, with the payment error of an unpaid latest invoice. */
export async function loadSubscriptionSnapshot(
  stripe: Stripe,
  sub: Stripe.Subscription,
): Promise<SubscriptionSnapshot> {
  const latest = expandedInvoice(sub.latest_invoice);
  const unpaid = latest !== null && latest.status === 'open';
  return toSubscriptionSnapshot(
    sub,
    unpaid ? await stripe.invoices.retrieve(latest.id, { expand: INVOICE_EXPAND }) : latest,
  );
}

function expandedInvoice(v: string | Stripe.Invoice | null): Stripe.Invoice | null {
  return v !== null && typeof v !== 'string' ? v : null;
}

/** The first discount, when the subscription was read with its discounts expanded (else nothing: not read). */
function discountOf(sub: Stripe.Subscription): { discount?: ReturnType<typeof discountView> | null } {
  if (!Array.isArray(sub.discounts)) return {};
  if (sub.discounts.length === 0) return { discount: null };
  const first = sub.discounts[0];
  if (typeof first === 'string' || first === undefined) return {};
  return { discount: discountView(first) };
}
