import type Stripe from 'stripe';
import { cardError, invalidRequest, type StripeApiError } from '../http/errors';
import { declineError } from './card-outcomes';
import { closeInvoicePayment, invoiceOfPaymentIntent, openInvoicePayment } from './invoice-payments';
import { attemptPayment, recordFailure, type AttemptResult } from './payment-intents';
import { storeInvoice } from './invoice-index';
import { buildInvoice, customerIdOfInvoice, subscriptionIdOf, type LineSpec } from './invoice-object';
import { onInvoicePaid, onInvoicePaymentFailed } from './subscription-status';
import { endUsedDiscounts } from './discounts';
import { previousAttributes, type Sim } from '../sim';

export interface NewInvoice {
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | null;
  billingReason: Stripe.Invoice.BillingReason;
  at: number;
  period: { start: number; end: number };
  lines: LineSpec[];
  prorationDate?: number | undefined;
}

export function createInvoice(sim: Sim, n: NewInvoice): Stripe.Invoice {
  const invoice = buildInvoice(
    sim,
    {
      id: sim.id('in'),
      customer: n.customer,
      subscription: n.subscription,
      billingReason: n.billingReason,
      created: n.at,
      currency: n.lines[0]?.currency ?? n.subscription?.currency ?? 'usd',
      period: n.period,
      prorationDate: n.prorationDate,
    },
    n.lines,
  );
  storeInvoice(sim, invoice);
  if (n.subscription) n.subscription.latest_invoice = invoice.id;
  sim.emit('invoice.created', invoice, n.at);
  if (n.subscription) endUsedDiscounts(sim, n.subscription, invoice, n.at);
  if (n.subscription && invoice.automatic_tax.disabled_reason === 'finalization_requires_location_inputs')
    disableAutomaticTax(sim, n.subscription, n.at);
  sim.store.changed();
  return invoice;
}

/**
 * Stripe turns automatic tax off on a subscription whose invoice it could not tax for want of a recognized customer
 * location (`automatic_tax.disabled_reason: requires_location_inputs`); the invoice goes out without tax.
 */
function disableAutomaticTax(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const before = structuredClone(sub);
  sub.automatic_tax = { disabled_reason: 'requires_location_inputs', enabled: false, liability: null };
  sim.emit('customer.subscription.updated', sub, at, previousAttributes(before, sub));
}

/**
 * draft → open. Stripe finalizes subscription invoices about an hour after creation; the simulator
 * finalizes at once (README). Customer credit balance is applied here, and a negative total becomes
 * credit. A zero amount due is paid on finalization, as Stripe does.
 */
export function finalizeInvoice(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  if (invoice.status !== 'draft')
    throw invalidRequest(
      `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
      undefined,
      'invoice_not_editable',
    );
  const customer = sim.state.customers[customerIdOfInvoice(invoice)];
  if (customer) {
    invoice.starting_balance = customer.balance;
    if (invoice.total < 0) {
      customer.balance += invoice.total;
    } else if (customer.balance < 0) {
      const applied = Math.min(invoice.total, -customer.balance);
      customer.balance += applied;
      invoice.amount_due = invoice.total - applied;
      invoice.amount_remaining = invoice.amount_due;
    }
    invoice.ending_balance = customer.balance;
    const sequence = customer.next_invoice_sequence ?? 1;
    invoice.number = `${customer.invoice_prefix ?? 'SIM'}-${String(sequence).padStart(4, '0')}`;
    customer.next_invoice_sequence = sequence + 1;
  }
  invoice.status = 'open';
  invoice.effective_at = at;
  invoice.status_transitions.finalized_at = at;
  invoice.hosted_invoice_url = `${sim.baseUrl()}/_sim/invoices/${invoice.id}`;
  invoice.invoice_pdf = `${sim.baseUrl()}/_sim/invoices/${invoice.id}/pdf`;
  if (invoice.amount_due > 0) openInvoicePayment(sim, invoice, at);
  sim.emit('invoice.finalized', invoice, at);
  if (invoice.amount_due === 0) markPaid(sim, invoice, at);
  sim.store.changed();
}

function paymentMethodFor(sim: Sim, invoice: Stripe.Invoice, explicit: string | undefined): string | null {
  if (explicit) return explicit;
  if (typeof invoice.default_payment_method === 'string') return invoice.default_payment_method;
  const sub = sim.state.subscriptions[subscriptionIdOf(invoice) ?? ''];
  if (typeof sub?.default_payment_method === 'string') return sub.default_payment_method;
  const customerPm = sim.state.customers[customerIdOfInvoice(invoice)]?.invoice_settings.default_payment_method;
  return typeof customerPm === 'string' ? customerPm : null;
}

export type CollectionResult = { paid: true } | { paid: false; requiresAction: boolean; error: StripeApiError };

const NO_PAYMENT_METHOD =
  'There is no `default_payment_method` set on this Customer, Subscription or Invoice, and no payment method was given.';

/** Stripe's answer to paying an invoice whose PaymentIntent now waits for the customer. */
function requiresActionError(pi: Stripe.PaymentIntent): StripeApiError {
  return cardError(
    'This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.',
    'invoice_payment_intent_requires_action',
    null,
    undefined,
    { payment_intent: structuredClone(pi) },
  );
}

/**
 * One payment attempt: the invoice's PaymentIntent is confirmed with the payment method. Automatic attempts count
 * toward `attempt_count`; a manual `/pay` after the first attempt does not (Stripe: attempt_count follows the retry
 * schedule). Automatic retries are off, so `next_payment_attempt` stays null and the invoice stays open after a
 * failure. Renewals are off session; a card that needs the customer leaves the PaymentIntent `requires_action`
 * and Stripe sends `invoice.payment_failed` and `invoice.payment_action_required`.
 */
export function collectInvoice(
  sim: Sim,
  invoice: Stripe.Invoice,
  at: number,
  opts: { manual: boolean; offSession: boolean; paymentMethod?: string | undefined },
): CollectionResult {
  const pmId = paymentMethodFor(sim, invoice, opts.paymentMethod);
  invoice.attempted = true;
  invoice.attempt_count = opts.manual ? Math.max(invoice.attempt_count, 1) : invoice.attempt_count + 1;
  invoice.next_payment_attempt = null;
  const pi = openInvoicePayment(sim, invoice, at);
  let result: AttemptResult;
  if (pmId) {
    result = attemptPayment(sim, pi, pmId, { offSession: opts.offSession, billing: true, at });
  } else {
    const decline = { code: 'card_declined', declineCode: null, adviceCode: null, message: NO_PAYMENT_METHOD };
    recordFailure(sim, pi, null, decline, at, false);
    result = { status: 'failed', decline };
  }
  const error = settleInvoiceAttempt(sim, invoice, pi, result, at);
  return error ? { paid: false, requiresAction: result.status === 'requires_action', error } : { paid: true };
}

/** An attempt on the invoice's PaymentIntent (by the invoice, the API or the customer's authentication) settles the invoice. */
function settleInvoiceAttempt(
  sim: Sim,
  invoice: Stripe.Invoice,
  pi: Stripe.PaymentIntent,
  result: AttemptResult,
  at: number,
): StripeApiError | null {
  if (result.status === 'succeeded') {
    markPaid(sim, invoice, at);
    return null;
  }
  sim.emit('invoice.payment_failed', invoice, at);
  if (result.status === 'requires_action') sim.emit('invoice.payment_action_required', invoice, at);
  onInvoicePaymentFailed(sim, invoice, at);
  sim.store.changed();
  return result.status === 'requires_action'
    ? requiresActionError(pi)
    : declineError(result.decline, { payment_intent: structuredClone(pi) });
}

/** A PaymentIntent confirmed or authenticated directly: when it is an open invoice's, the invoice follows. */
export function afterPaymentIntentAttempt(sim: Sim, pi: Stripe.PaymentIntent, result: AttemptResult, at: number): void {
  const invoice = invoiceOfPaymentIntent(sim, pi.id);
  if (!invoice || invoice.status !== 'open' || result.status === 'requires_action') return;
  invoice.attempted = true;
  invoice.attempt_count = Math.max(invoice.attempt_count, 1);
  settleInvoiceAttempt(sim, invoice, pi, result, at);
}

export function markPaid(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.status_transitions.paid_at = at;
  invoice.next_payment_attempt = null;
  closeInvoicePayment(sim, invoice, at, 'paid');
  sim.emit('invoice.paid', invoice, at);
  sim.emit('invoice.payment_succeeded', invoice, at);
  onInvoicePaid(sim, invoice, at);
  sim.store.changed();
}

export function voidInvoice(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  if (invoice.status !== 'open')
    throw invalidRequest(
      `You can only void open invoices (this one is ${invoice.status ?? 'draft'}).`,
      undefined,
      'invoice_not_editable',
    );
  invoice.status = 'void';
  invoice.status_transitions.voided_at = at;
  invoice.next_payment_attempt = null;
  closeInvoicePayment(sim, invoice, at, 'canceled');
  sim.emit('invoice.voided', invoice, at);
  sim.store.changed();
}

export function markUncollectible(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  if (invoice.status !== 'open')
    throw invalidRequest(
      `You can only mark open invoices as uncollectible (this one is ${invoice.status ?? 'draft'}).`,
      undefined,
      'invoice_not_editable',
    );
  invoice.status = 'uncollectible';
  invoice.status_transitions.marked_uncollectible_at = at;
  invoice.next_payment_attempt = null;
  sim.emit('invoice.marked_uncollectible', invoice, at);
  sim.store.changed();
}
