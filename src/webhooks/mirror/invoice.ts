import { z } from 'zod';
import type { NewInvoiceRow } from '../../db/read-models/invoices';
import { summarizeLines } from '../../invoice-delivery/line-summary';
import { taxOf } from '../../stripe/automatic-tax';

const epoch = z
  .number()
  .int()
  .nullish()
  .transform((s) => (s == null ? null : new Date(s * 1000)));
const reference = z
  .union([z.string(), z.looseObject({ id: z.string() })])
  .transform((r) => (typeof r === 'string' ? r : r.id));

/** The invoice fields the read model keeps, as API version 2026-10-28.endive shapes them. */
export const StripeInvoiceSchema = z.looseObject({
  id: z.string().startsWith('in_'),
  status: z.string().nullish(),
  currency: z.string().length(3),
  amount_due: z.number().int(),
  amount_paid: z.number().int(),
  amount_remaining: z.number().int(),
  subtotal: z.number().int().nullish(),
  total_discount_amounts: z.array(z.looseObject({ amount: z.number().int() })).nullish(),
  number: z.string().nullish(),
  billing_reason: z.string().nullish(),
  attempt_count: z.number().int().nonnegative(),
  hosted_invoice_url: z.string().nullish(),
  invoice_pdf: z.string().nullish(),
  period_start: epoch,
  period_end: epoch,
  due_date: epoch,
  created: z.number().int(),
  status_transitions: z.looseObject({ paid_at: epoch }).nullish(),
  // Since the 2025 "basil" versions the subscription hangs off parent.subscription_details.
  parent: z.looseObject({ subscription_details: z.looseObject({ subscription: reference }).nullish() }).nullish(),
  automatic_tax: z.looseObject({ enabled: z.boolean() }).nullish(),
  total_excluding_tax: z.number().int().nullish(),
  total_taxes: z.array(z.looseObject({ amount: z.number().int(), taxability_reason: z.string().nullish() })).nullish(),
  // The first page of lines (Stripe includes "the first handful" in every invoice it returns or sends). Lines it
  // cannot read cost the summary only (the mailer then asks Stripe), never the invoice's row.
  lines: z
    .looseObject({
      data: z.array(
        z.looseObject({ description: z.string().nullish(), amount: z.number().int(), currency: z.string() }),
      ),
      has_more: z.boolean(),
    })
    .nullish()
    .catch(null),
});

export type StripeInvoice = z.infer<typeof StripeInvoiceSchema>;

export function toInvoiceRow(
  invoice: StripeInvoice,
  organizationId: string,
  observedAt: Date,
  deleted = false,
): NewInvoiceRow {
  return {
    organization_id: organizationId,
    stripe_invoice_id: invoice.id,
    stripe_subscription_id: invoice.parent?.subscription_details?.subscription ?? null,
    number: invoice.number ?? null,
    status: deleted ? 'deleted' : (invoice.status ?? 'draft'),
    currency: invoice.currency,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    amount_remaining: invoice.amount_remaining,
    subtotal: invoice.subtotal ?? null,
    discount_amount: invoice.total_discount_amounts
      ? invoice.total_discount_amounts.reduce((sum, d) => sum + d.amount, 0)
      : null,
    billing_reason: invoice.billing_reason ?? null,
    attempt_count: invoice.attempt_count,
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
    invoice_pdf: invoice.invoice_pdf ?? null,
    period_start: invoice.period_start,
    period_end: invoice.period_end,
    due_date: invoice.due_date,
    paid_at: invoice.status_transitions?.paid_at ?? null,
    stripe_created_at: new Date(invoice.created * 1000),
    source_event_created_at: observedAt,
    ...invoiceTax(invoice),
    line_summary: lineSummary(invoice, deleted),
  };
}

/**
 * The invoice email's list of lines, once Stripe finalized the invoice: a finalized invoice's lines cannot change
 * (https://docs.stripe.com/api/invoice-line-item/update: "only possible before the invoice is finalized"), so the
 * lines in its webhook are the lines Stripe would return, and the mailer needs no `GET /v1/invoices/:id` per
 * invoice (during a renewal storm that read was the busiest Stripe endpoint: docs/capacity.md). A draft's lines may
 * still change: null, as for an event without lines; the mailer then asks Stripe.
 */
function lineSummary(invoice: StripeInvoice, deleted: boolean): string | null {
  if (deleted || !invoice.lines || (invoice.status ?? 'draft') === 'draft') return null;
  return summarizeLines(
    invoice.lines.data.map((l) => ({ description: l.description ?? null, amount: l.amount, currency: l.currency })),
    invoice.lines.has_more,
  );
}

/**
 * Stripe Tax's result on the invoice: the tax (null when automatic tax was off), the total before it, and reverse
 * charge (a tax line whose taxability_reason is `reverse_charge`: tax 0, the customer accounts for the VAT).
 */
export function invoiceTax(
  invoice: Pick<StripeInvoice, 'automatic_tax' | 'total_excluding_tax' | 'total_taxes'>,
): Pick<NewInvoiceRow, 'tax' | 'total_excluding_tax' | 'reverse_charge'> {
  const { tax, reverseCharge } = taxOf(invoice);
  return {
    tax: invoice.automatic_tax?.enabled ? tax : null,
    total_excluding_tax: invoice.total_excluding_tax ?? null,
    reverse_charge: reverseCharge,
  };
}
