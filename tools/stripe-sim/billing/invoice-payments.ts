import type Stripe from 'stripe';
import type { StripeApiError } from '../http/errors';
import type { Sim } from '../sim';

/**
 * Invoice payment attempts as Stripe records them in this API version: each attempt is an
 * InvoicePayment whose `payment.payment_intent` names a PaymentIntent; a declined attempt's intent
 * carries `last_payment_error` (code, decline_code). `invoice.payments` is includable, so it is
 * attached only when a request expands it (see withIncludedPayments). The PaymentIntents are a
 * subset of Stripe's object: the fields a billing integration reads.
 */
export function recordPaymentAttempt(sim: Sim, invoice: Stripe.Invoice, at: number, error: StripeApiError | null): void {
  const intentId = sim.id('pi');
  const lastPaymentError = error
    ? { type: 'card_error', code: error.body.code ?? 'card_declined', decline_code: error.body.decline_code ?? null, message: error.body.message, advice_code: null }
    : null;
  sim.state.paymentIntents[intentId] = {
    id: intentId, object: 'payment_intent', amount: invoice.amount_due, currency: invoice.currency, created: at, livemode: false,
    customer: typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? null),
    status: error ? 'requires_payment_method' : 'succeeded', last_payment_error: lastPaymentError, metadata: {},
  } as unknown as Stripe.PaymentIntent;
  const payments = (sim.state.invoicePayments[invoice.id] ??= []);
  for (const p of payments) if (p.status === 'open') p.status = 'canceled';
  payments.push({
    id: sim.id('inpay'), object: 'invoice_payment', amount_paid: error ? null : invoice.amount_due, amount_requested: invoice.amount_due,
    created: at, currency: invoice.currency, invoice: invoice.id, is_default: true, livemode: false,
    payment: { type: 'payment_intent', payment_intent: intentId },
    status: error ? 'open' : 'paid', status_transitions: { canceled_at: null, paid_at: error ? null : at },
  } as Stripe.InvoicePayment);
}

/** Adds `payments` to invoices in a response when an `expand[]` path asks for it. */
export function withIncludedPayments(sim: Sim, body: unknown, expand: string[]): unknown {
  const wanted = (prefix: string) => expand.some((p) => p === prefix || p.startsWith(`${prefix}.`));
  const include = (invoice: Stripe.Invoice): Stripe.Invoice => {
    const data = structuredClone(sim.state.invoicePayments[invoice.id] ?? []);
    return { ...invoice, payments: { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${invoice.id}` } };
  };
  if (!body || typeof body !== 'object') return body;
  const record = body as { object?: string; data?: unknown[]; latest_invoice?: unknown };
  if (record.object === 'invoice' && wanted('payments')) return include(record as Stripe.Invoice);
  if (record.object === 'list' && Array.isArray(record.data) && wanted('data.payments')) {
    return { ...record, data: record.data.map((i) => (i && (i as { object?: string }).object === 'invoice' ? include(i as Stripe.Invoice) : i)) };
  }
  return body;
}
