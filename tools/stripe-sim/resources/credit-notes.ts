import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { applyMetadata, formExpand, formMetadata, formInt, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import type { Sim } from '../sim';
import { newestFirst } from '../store';
import { paymentIntentOfInvoice } from '../billing/invoice-payments';

/**
 * Credit notes on paid invoices (https://docs.stripe.com/api/credit_notes/create, https://docs.stripe.com/invoicing/dashboard/credit-notes):
 * `amount` (a partial or full credit), `reason`, `memo`, `metadata`, and how a post-payment credit is settled:
 * `refund_amount` (a Refund on the invoice's charge), `credit_amount` (the customer's credit balance) and
 * `out_of_band_amount`, whose sum must equal the credit note's total. The total credited on an invoice never exceeds
 * what was paid (`post_payment_credit_notes_amount`). Simplifications: `lines`, `shipping_cost`, `refunds[]` and
 * credit notes on open invoices (pre-payment) are refused with a message saying so.
 */
const createSchema = z.strictObject({
  invoice: z.string(),
  amount: formInt.optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']).optional(),
  memo: z.string().optional(),
  metadata: formMetadata.optional(),
  refund_amount: formInt.optional(),
  credit_amount: formInt.optional(),
  out_of_band_amount: formInt.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({
  ...listParams,
  invoice: z.string().optional(),
  customer: z.string().optional(),
  expand: formExpand.optional(),
});

export function creditNoteRoutes(router: Router, sim: Sim): void {
  router.post('/v1/credit_notes', ({ params }) => {
    const p = parseParams(createSchema, params);
    const invoice = sim.state.invoices[p.invoice];
    if (!invoice) throw resourceMissing('invoice', p.invoice, 'invoice');
    if (invoice.status !== 'paid')
      throw invalidRequest(
        `The simulator issues credit notes on paid invoices only; ${invoice.id} is ${invoice.status}.`,
        'invoice',
      );
    const creditable = invoice.amount_paid - invoice.post_payment_credit_notes_amount;
    const amount = p.amount ?? creditable;
    if (amount <= 0 || amount > creditable)
      throw invalidRequest(
        `The credit note amount (${amount}) must be positive and at most the invoice's remaining paid amount (${creditable}).`,
        'amount',
      );
    const refundAmount = p.refund_amount ?? 0;
    const creditAmount = p.credit_amount ?? 0;
    const outOfBand = p.out_of_band_amount ?? 0;
    if (refundAmount + creditAmount + outOfBand !== amount)
      throw invalidRequest(
        `The sum of credit_amount, refund_amount and out_of_band_amount (${refundAmount + creditAmount + outOfBand}) must equal the credit note amount (${amount}).`,
        'refund_amount',
      );
    const customerId = typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? '');
    const at = sim.nowForCustomer(customerId);
    const refunds: Stripe.CreditNote.Refund[] = [];
    if (refundAmount > 0) {
      const refund = refundCharge(sim, invoice, refundAmount, p.reason, at);
      refunds.push({ amount_refunded: refundAmount, payment_record_refund: null, refund: refund.id, type: 'refund' });
    }
    if (creditAmount > 0) {
      const customer = sim.state.customers[customerId];
      if (customer) customer.balance -= creditAmount;
    }
    const sequence = Object.values(sim.state.creditNotes).filter((c) => c.invoice === invoice.id).length + 1;
    const creditNote: Stripe.CreditNote = {
      id: sim.id('cn'),
      object: 'credit_note',
      amount,
      amount_shipping: 0,
      created: at,
      currency: invoice.currency,
      customer: customerId,
      customer_account: null,
      customer_balance_transaction: null,
      discount_amount: 0,
      discount_amounts: [],
      effective_at: at,
      invoice: invoice.id,
      lines: { object: 'list', data: [], has_more: false, url: '/v1/credit_notes/lines' },
      livemode: false,
      memo: p.memo ?? null,
      metadata: applyMetadata({}, p.metadata),
      number: `${invoice.number ?? invoice.id}-CN-${String(sequence).padStart(2, '0')}`,
      out_of_band_amount: outOfBand || null,
      pdf: '',
      post_payment_amount: amount,
      pre_payment_amount: 0,
      pretax_credit_amounts: [],
      reason: p.reason ?? null,
      refunds,
      shipping_cost: null,
      status: 'issued',
      subtotal: amount,
      subtotal_excluding_tax: amount,
      total: amount,
      total_excluding_tax: amount,
      total_taxes: [],
      type: 'post_payment',
      voided_at: null,
    };
    creditNote.pdf = `${sim.baseUrl()}/_sim/credit_notes/${creditNote.id}/pdf`;
    creditNote.lines.url = `/v1/credit_notes/${creditNote.id}/lines`;
    sim.state.creditNotes[creditNote.id] = creditNote;
    invoice.post_payment_credit_notes_amount += amount;
    sim.emit('credit_note.created', creditNote, at);
    sim.store.changed();
    return creditNote;
  });

  // The Charge and Refund a refund touches, readable as on Stripe (https://docs.stripe.com/api/charges/retrieve,
  // https://docs.stripe.com/api/refunds/retrieve).
  router.get('/v1/charges/:id', ({ pathParams }) => {
    const charge = sim.state.charges[pathParams.id ?? ''];
    if (!charge) throw resourceMissing('charge', pathParams.id ?? '', 'id');
    return charge;
  });
  router.get('/v1/refunds/:id', ({ pathParams }) => {
    const refund = sim.state.refunds[pathParams.id ?? ''];
    if (!refund) throw resourceMissing('refund', pathParams.id ?? '', 'id');
    return refund;
  });

  router.get('/v1/credit_notes/:id', ({ pathParams }) => {
    const creditNote = sim.state.creditNotes[pathParams.id ?? ''];
    if (!creditNote) throw resourceMissing('credit_note', pathParams.id ?? '', 'id');
    return creditNote;
  });

  router.get('/v1/credit_notes', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.creditNotes).filter(
      (c) =>
        (p.invoice === undefined || c.invoice === p.invoice) && (p.customer === undefined || c.customer === p.customer),
    );
    return paginate(items, '/v1/credit_notes', p);
  });
}

/** A Refund on the invoice's successful charge (https://docs.stripe.com/api/refunds/object): the charge's amount_refunded grows. */
function refundCharge(
  sim: Sim,
  invoice: Stripe.Invoice,
  amount: number,
  reason: string | undefined,
  at: number,
): Stripe.Refund {
  const pi = paymentIntentOfInvoice(sim, invoice);
  const chargeId = typeof pi?.latest_charge === 'string' ? pi.latest_charge : pi?.latest_charge?.id;
  const charge = chargeId ? sim.state.charges[chargeId] : undefined;
  if (!pi || !charge || charge.status !== 'succeeded')
    throw invalidRequest(
      `Invoice ${invoice.id} was not paid by a charge (e.g. a $0 invoice or paid from the customer balance): use credit_amount or out_of_band_amount.`,
      'refund_amount',
    );
  if (charge.amount_refunded + amount > charge.amount_captured)
    throw invalidRequest(
      `Refund amount (${amount}) is greater than the unrefunded amount on charge ${charge.id} (${charge.amount_captured - charge.amount_refunded}).`,
      'refund_amount',
      'charge_already_refunded',
    );
  const refund: Stripe.Refund = {
    id: sim.id('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: at,
    currency: charge.currency,
    customer: typeof charge.customer === 'string' ? charge.customer : null,
    customer_account: null,
    metadata: {},
    payment_intent: pi.id,
    payment_method: typeof charge.payment_method === 'string' ? charge.payment_method : null,
    reason: (reason === 'duplicate' || reason === 'fraudulent'
      ? reason
      : 'requested_by_customer') as Stripe.Refund.Reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  sim.state.refunds[refund.id] = refund;
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount_captured;
  sim.emit('refund.created', refund, at);
  sim.emit('charge.refunded', charge, at);
  return refund;
}
