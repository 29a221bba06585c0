import type { Db } from '../db/database';
import { INVOICE_EMAIL_KINDS, type InvoiceEmailKind } from '../domain/invoice-emails';
import { awaitingEmail } from './awaiting';
import { deliveryOf, invoicesWithEmails, type EmailDelivery } from './delivery-status';

export interface UndeliveredInvoiceEmail extends EmailDelivery {
  organizationId: string;
  stripeInvoiceId: string;
  number: string | null;
  invoiceStatus: string;
  amountDue: number;
  currency: string;
  invoiceCreatedAt: string;
  kind: InvoiceEmailKind;
  toAddress: string | null;
}

const UNDELIVERED = new Set(['queued', 'pending', 'failed']);

/**
 * Invoice emails not (yet) accepted by the mail server, newest invoice first: failed ones to re-send,
 * pending ones retrying, and owed ones the mailer has not stored yet. Both sources are partial indexes
 * (email_outbox_undelivered, invoices_awaiting_email), so the list stays cheap as the tables grow.
 */
export async function listUndeliveredInvoiceEmails(db: Db, filter: { organizationId?: string; limit: number }): Promise<UndeliveredInvoiceEmail[]> {
  const undeliveredOutbox = db
    .selectFrom('email_outbox')
    .select((eb) => eb.fn<string>('split_part', ['dedupe_key', eb.val(':'), eb.val(2)]).as('invoice_id'))
    .where('status', '<>', 'sent')
    .where('kind', 'in', INVOICE_EMAIL_KINDS);
  let query = invoicesWithEmails(db)
    .where((eb) => eb.or([eb('i.stripe_invoice_id', 'in', undeliveredOutbox), awaitingEmail('i')]))
    .orderBy('i.stripe_created_at', 'desc')
    .orderBy('i.stripe_invoice_id', 'desc')
    .limit(filter.limit);
  if (filter.organizationId) query = query.where('i.organization_id', '=', filter.organizationId);
  const rows = await query.execute();
  return rows.flatMap((row) => {
    const delivery = deliveryOf(row);
    return INVOICE_EMAIL_KINDS.filter((kind) => UNDELIVERED.has(delivery[kind].status)).map((kind) => ({
      organizationId: row.organization_id,
      stripeInvoiceId: row.stripe_invoice_id,
      number: row.number,
      invoiceStatus: row.status,
      amountDue: row.amount_due,
      currency: row.currency.trim(),
      invoiceCreatedAt: row.stripe_created_at.toISOString(),
      kind,
      toAddress: kind === 'invoice_issued' ? row.issued_to : row.receipt_to,
      ...delivery[kind],
    }));
  });
}
