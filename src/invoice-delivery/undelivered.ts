import type { Db } from '../db/database';
import { INVOICE_EMAIL_KINDS, type InvoiceEmailKind } from '../domain/invoice-emails';
import { deliveryOf, type EmailDelivery } from './delivery-status';
import { findUndeliveredInvoices } from './store';

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
 * pending ones retrying, and owed ones the mailer has not stored yet.
 */
export async function listUndeliveredInvoiceEmails(
  db: Db,
  filter: { organizationId?: string; limit: number },
): Promise<UndeliveredInvoiceEmail[]> {
  const rows = await findUndeliveredInvoices(db, filter);
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
