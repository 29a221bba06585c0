import type { Db } from '../database';

export interface InvoiceView {
  id: string;
  stripeInvoiceId: string;
  number: string | null;
  status: string;
  currency: string;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  billingReason: string | null;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  dueDate: string | null;
  paidAt: string | null;
  createdAt: string;
}

/** An opaque cursor: the (created, id) of the last item of the previous page. */
export interface InvoiceCursor {
  createdAt: string;
  id: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Newest first, keyset-paginated so deep pages stay as fast as the first. */
export async function listInvoices(
  db: Db,
  organizationId: string,
  page: { limit: number; after?: InvoiceCursor },
): Promise<{ data: InvoiceView[]; next: InvoiceCursor | null }> {
  let query = db
    .selectFrom('invoices')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('stripe_created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.after) {
    const { createdAt, id } = page.after;
    query = query.where((eb) =>
      eb.or([eb('stripe_created_at', '<', new Date(createdAt)), eb.and([eb('stripe_created_at', '=', new Date(createdAt)), eb('id', '<', id)])]),
    );
  }
  const rows = await query.execute();
  const data = rows.slice(0, page.limit).map((r) => ({
    id: r.id,
    stripeInvoiceId: r.stripe_invoice_id,
    number: r.number,
    status: r.status,
    currency: r.currency.trim(),
    amountDue: r.amount_due,
    amountPaid: r.amount_paid,
    amountRemaining: r.amount_remaining,
    billingReason: r.billing_reason,
    attemptCount: r.attempt_count,
    hostedInvoiceUrl: r.hosted_invoice_url,
    invoicePdf: r.invoice_pdf,
    periodStart: iso(r.period_start),
    periodEnd: iso(r.period_end),
    dueDate: iso(r.due_date),
    paidAt: iso(r.paid_at),
    createdAt: r.stripe_created_at.toISOString(),
  }));
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return { data, next: last ? { createdAt: last.stripe_created_at.toISOString(), id: last.id } : null };
}
