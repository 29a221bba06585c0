import { sql, type Insertable, type Selectable } from 'kysely';
import type { InvoiceEmailKind } from '../../domain/invoice-emails';
import type { Db } from '../database';
import type { InvoicesTable } from '../schema';
import { guardedUpsert } from './guarded-upsert';

/**
 * The `invoices` read model: Stripe invoices mirrored from webhooks and reconciliation, stamped by the
 * invoice mailer. This module is its only writer and owns its ordering guard and its API shape.
 */
export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;

export interface InvoiceView {
  id: string;
  stripeInvoiceId: string;
  number: string | null;
  status: string;
  currency: string;
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  /** Before discounts; null for an invoice mirrored before the mirror kept it. */
  subtotal: number | null;
  /** What discounts took off (Stripe's total_discount_amounts); null as subtotal. */
  discount: number | null;
  billingReason: string | null;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  dueDate: string | null;
  paidAt: string | null;
  createdAt: string;
  /** Stripe Tax: null when automatic tax was off for the invoice. */
  tax: number | null;
  totalExcludingTax: number | null;
  reverseCharge: boolean;
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
      eb.or([
        eb('stripe_created_at', '<', new Date(createdAt)),
        eb.and([eb('stripe_created_at', '=', new Date(createdAt)), eb('id', '<', id)]),
      ]),
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
    subtotal: r.subtotal,
    discount: r.discount_amount,
    billingReason: r.billing_reason,
    attemptCount: r.attempt_count,
    hostedInvoiceUrl: r.hosted_invoice_url,
    invoicePdf: r.invoice_pdf,
    periodStart: iso(r.period_start),
    periodEnd: iso(r.period_end),
    dueDate: iso(r.due_date),
    paidAt: iso(r.paid_at),
    createdAt: r.stripe_created_at.toISOString(),
    tax: r.tax,
    totalExcludingTax: r.total_excluding_tax,
    reverseCharge: r.reverse_charge ?? false,
  }));
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return { data, next: last ? { createdAt: last.stripe_created_at.toISOString(), id: last.id } : null };
}

/** How far along Stripe's invoice lifecycle a status is (see below). */
const rank = (status: string) => `case ${status} when 'draft' then 0 when 'open' then 1 else 2 end`;

/**
 * Insert or update, unless the row was written from a newer observation of Stripe. Events carry
 * second-resolution timestamps and Stripe often emits finalized and paid in the same
 * second, so on a tie the further-along state wins instead of whichever event was relayed last
 * (on a full tie, the later one).
 */
const invoices = guardedUpsert<NewInvoiceRow>({
  name: 'mirror_upsert_invoice',
  table: 'invoices',
  columns: [
    ['organization_id', 'text'],
    ['stripe_invoice_id', 'text'],
    ['stripe_subscription_id', 'text'],
    ['number', 'text'],
    ['status', 'text'],
    ['currency', 'text'],
    ['amount_due', 'bigint'],
    ['amount_paid', 'bigint'],
    ['amount_remaining', 'bigint'],
    ['subtotal', 'bigint'],
    ['discount_amount', 'bigint'],
    ['billing_reason', 'text'],
    ['attempt_count', 'integer'],
    ['hosted_invoice_url', 'text'],
    ['invoice_pdf', 'text'],
    ['period_start', 'timestamptz'],
    ['period_end', 'timestamptz'],
    ['due_date', 'timestamptz'],
    ['paid_at', 'timestamptz'],
    ['stripe_created_at', 'timestamptz'],
    ['source_event_created_at', 'timestamptz'],
    ['tax', 'bigint'],
    ['total_excluding_tax', 'bigint'],
    ['reverse_charge', 'boolean'],
    ['line_summary', 'text'],
  ],
  guard: `invoices.source_event_created_at < excluded.source_event_created_at
      or (invoices.source_event_created_at = excluded.source_event_created_at and ${rank('invoices.status')} <= ${rank('excluded.status')})`,
});

export const upsertInvoice = invoices.one;
/** A relay batch's invoice observations, in `created` order. */
export const upsertInvoices = invoices.many;

export function findInvoice(db: Db, stripeInvoiceId: string): Promise<InvoiceRow | undefined> {
  return db.selectFrom('invoices').selectAll().where('stripe_invoice_id', '=', stripeInvoiceId).executeTakeFirst();
}

/** The column stamping when the mailer stored each email of an invoice in the outbox (null = not yet). */
export const EMAIL_MARKER: Record<InvoiceEmailKind, 'issued_email_queued_at' | 'receipt_email_queued_at'> = {
  invoice_issued: 'issued_email_queued_at',
  invoice_receipt: 'receipt_email_queued_at',
};

/** Stamps that the mailer stored this email of the invoice in the outbox (a stamp already there stays). */
export async function markInvoiceEmailQueued(db: Db, stripeInvoiceId: string, kind: InvoiceEmailKind): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ [EMAIL_MARKER[kind]]: sql`now()` })
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .where(EMAIL_MARKER[kind], 'is', null)
    .execute();
}

/** Clears the stamp, which puts the invoice back in the mailer's sweep for that email. */
export async function clearInvoiceEmailQueued(db: Db, stripeInvoiceId: string, kind: InvoiceEmailKind): Promise<void> {
  await db
    .updateTable('invoices')
    .set({ [EMAIL_MARKER[kind]]: null })
    .where('stripe_invoice_id', '=', stripeInvoiceId)
    .execute();
}
