import type { Db } from '../db/database';
import { requiredInvoiceEmails, type InvoiceEmailKind } from '../domain/invoice-emails';
import { findInvoicesWithEmails } from './store';

/**
 * Where one email of an invoice stands:
 * - not_required: the invoice owes no such email (a draft, a $0 invoice, a receipt for an unpaid one);
 * - queued: owed, and the invoice mailer has not stored it in the outbox yet;
 * - pending: in the outbox, not yet accepted by the mail server (retrying with backoff);
 * - sent: accepted by the mail server;
 * - failed: given up (no billing email, permanent rejection, retries exhausted): re-send it;
 * - not_sent: the invoice predates invoice emails and was never sent (re-send it to send it).
 */
export type DeliveryStatus = 'not_required' | 'queued' | 'pending' | 'sent' | 'failed' | 'not_sent';

export interface EmailDelivery {
  status: DeliveryStatus;
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
}

export type InvoiceDelivery = Record<InvoiceEmailKind, EmailDelivery>;

interface JoinedRow {
  stripe_invoice_id: string;
  status: string;
  amount_due: number;
  amount_paid: number;
  attempt_count: number;
  issued_email_queued_at: Date | null;
  receipt_email_queued_at: Date | null;
  issued_status: string | null;
  issued_attempts: number | null;
  issued_sent_at: Date | null;
  issued_error: string | null;
  receipt_status: string | null;
  receipt_attempts: number | null;
  receipt_sent_at: Date | null;
  receipt_error: string | null;
}

function toDelivery(
  required: boolean,
  queuedAt: Date | null,
  outbox: { status: string | null; attempts: number | null; sentAt: Date | null; error: string | null },
): EmailDelivery {
  const base = {
    attempts: outbox.attempts ?? 0,
    sentAt: outbox.sentAt?.toISOString() ?? null,
    lastError: outbox.error,
  };
  if (outbox.status === 'sent' || outbox.status === 'failed') return { status: outbox.status, ...base };
  if (outbox.status === 'pending' || outbox.status === 'sending') return { status: 'pending', ...base };
  if (!required) return { status: 'not_required', ...base };
  return { status: queuedAt === null ? 'queued' : 'not_sent', ...base };
}

export function deliveryOf(row: JoinedRow): InvoiceDelivery {
  const required = requiredInvoiceEmails({
    status: row.status,
    amountDue: row.amount_due,
    attemptCount: row.attempt_count,
    amountPaid: row.amount_paid,
  });
  return {
    invoice_issued: toDelivery(required.includes('invoice_issued'), row.issued_email_queued_at, {
      status: row.issued_status,
      attempts: row.issued_attempts,
      sentAt: row.issued_sent_at,
      error: row.issued_error,
    }),
    invoice_receipt: toDelivery(required.includes('invoice_receipt'), row.receipt_email_queued_at, {
      status: row.receipt_status,
      attempts: row.receipt_attempts,
      sentAt: row.receipt_sent_at,
      error: row.receipt_error,
    }),
  };
}

/** The delivery of each given invoice of one organization, keyed by Stripe invoice id. */
export async function invoiceDeliveries(
  db: Db,
  organizationId: string,
  stripeInvoiceIds: string[],
): Promise<Map<string, InvoiceDelivery>> {
  if (stripeInvoiceIds.length === 0) return new Map();
  const rows = await findInvoicesWithEmails(db, organizationId, stripeInvoiceIds);
  return new Map(rows.map((r) => [r.stripe_invoice_id, deliveryOf(r)]));
}
