import type Stripe from 'stripe';
import type { Sim } from '../sim';
import { cancelPaymentIntent, createPaymentIntent } from './payment-intents';

const DESCRIPTIONS: Partial<Record<Stripe.Invoice.BillingReason, string>> = {
  subscription_create: 'Subscription creation',
  subscription_cycle: 'Subscription update',
  subscription_update: 'Subscription update',
};

/**
 * Invoice payments as Stripe records them in this API version: at finalization an invoice with something to collect
 * gets one PaymentIntent, which every attempt confirms again, recorded as the invoice's default InvoicePayment
 * (`payments`, includable) and exposed to the customer's browser as `confirmation_secret` (includable).
 */
export function openInvoicePayment(sim: Sim, invoice: Stripe.Invoice, at: number): Stripe.PaymentIntent {
  const existing = paymentIntentOfInvoice(sim, invoice);
  if (existing) return existing;
  const customer = typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? null);
  const pi = createPaymentIntent(sim, {
    amount: invoice.amount_due,
    currency: invoice.currency,
    customer,
    paymentMethod: null,
    description: DESCRIPTIONS[invoice.billing_reason ?? 'manual'] ?? null,
    metadata: {},
    setupFutureUsage: 'off_session',
    at,
  });
  sim.state.paymentIntentInvoices[pi.id] = invoice.id;
  sim.state.invoicePayments[invoice.id] = [
    {
      id: sim.id('inpay'),
      object: 'invoice_payment',
      amount_paid: null,
      amount_requested: invoice.amount_due,
      created: at,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: pi.id },
      status: 'open',
      status_transitions: { canceled_at: null, paid_at: null },
    } as Stripe.InvoicePayment,
  ];
  return pi;
}

export function paymentIntentOfInvoice(sim: Sim, invoice: Stripe.Invoice): Stripe.PaymentIntent | undefined {
  const payment = sim.state.invoicePayments[invoice.id]?.find((p) => p.is_default);
  const id = payment?.payment.payment_intent;
  return typeof id === 'string' ? sim.state.paymentIntents[id] : undefined;
}

export function invoiceOfPaymentIntent(sim: Sim, piId: string): Stripe.Invoice | undefined {
  const invoiceId = sim.state.paymentIntentInvoices[piId];
  return invoiceId ? sim.state.invoices[invoiceId] : undefined;
}

/** The invoice was paid (or closed): its payment is settled, and a PaymentIntent left waiting is canceled. */
export function closeInvoicePayment(sim: Sim, invoice: Stripe.Invoice, at: number, outcome: 'paid' | 'canceled'): void {
  const pi = paymentIntentOfInvoice(sim, invoice);
  for (const p of sim.state.invoicePayments[invoice.id] ?? []) {
    if (p.status !== 'open') continue;
    const paid = outcome === 'paid' && pi?.status === 'succeeded';
    p.status = paid ? 'paid' : 'canceled';
    p.amount_paid = paid ? invoice.amount_paid : null;
    p.status_transitions = { canceled_at: paid ? null : at, paid_at: paid ? at : null };
  }
  if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled')
    cancelPaymentIntent(sim, pi, outcome === 'canceled' ? 'void_invoice' : null, at);
}

type Includable = (record: Record<string, unknown>, field: string) => { value: unknown } | undefined;

/** Stripe's includable invoice fields, present only when `expand[]` names them: `payments`, `confirmation_secret`. */
export function invoiceIncludables(sim: Sim): Includable {
  return (record, field) => {
    if (record.object !== 'invoice' || typeof record.id !== 'string') return undefined;
    const invoice = record as unknown as Stripe.Invoice;
    if (field === 'payments') {
      const data = structuredClone(sim.state.invoicePayments[invoice.id] ?? []);
      return { value: { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${invoice.id}` } };
    }
    if (field === 'confirmation_secret') {
      const pi = invoice.status === 'draft' ? undefined : paymentIntentOfInvoice(sim, invoice);
      return { value: pi?.client_secret ? { client_secret: pi.client_secret, type: 'payment_intent' } : null };
    }
    return undefined;
  };
}
