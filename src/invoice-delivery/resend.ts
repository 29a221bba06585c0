import { z } from 'zod';
import type { Db } from '../db/database';
import { clearInvoiceEmailQueued } from '../db/read-models/invoices';
import { requeueFailedMessage, retryMessageNow } from '../notifications/store';
import { invoiceEmailDedupeKey, requiredInvoiceEmails, type InvoiceEmailKind } from '../domain/invoice-emails';
import { deliveryOf } from './delivery-status';
import { findInvoiceWithEmails } from './store';

/**
 * What a re-send did to one email of the invoice:
 * - requeued: a failed email is pending again (attempts reset, current billing email) and goes out at the next poll;
 * - retry_now: a pending email waiting out its backoff is due now;
 * - queued: the email was never stored (not yet, or the invoice predates invoice emails); the mailer stores it at its next sweep;
 * - already_sent / in_flight: nothing changed.
 */
export type ResendOutcome = 'requeued' | 'retry_now' | 'queued' | 'already_sent' | 'in_flight';

export class ResendError extends Error {
  constructor(
    readonly reason: 'invoice_not_found' | 'not_required' | 'no_recipient',
    message: string,
  ) {
    super(message);
    this.name = 'ResendError';
  }
}

export interface ResendResult {
  stripeInvoiceId: string;
  organizationId: string;
  emails: { kind: InvoiceEmailKind; outcome: ResendOutcome }[];
}

const emailAddress = z.email();

/**
 * Sends an invoice's email again on an operator's request (CLI or admin endpoint). Without `kind`,
 * every email the invoice owes that is not yet delivered. A sent email is never sent twice this way.
 */
export async function resendInvoiceEmails(
  db: Db,
  resolveRecipient: (organizationId: string) => Promise<string | null>,
  input: { stripeInvoiceId: string; kind?: InvoiceEmailKind },
): Promise<ResendResult> {
  const row = await findInvoiceWithEmails(db, input.stripeInvoiceId);
  if (!row) throw new ResendError('invoice_not_found', `No invoice ${input.stripeInvoiceId} in the read model`);
  const owed = requiredInvoiceEmails({
    status: row.status,
    amountDue: row.amount_due,
    amountPaid: row.amount_paid,
    attemptCount: row.attempt_count,
  });
  const kinds = input.kind ? [input.kind] : owed;
  if (kinds.length === 0 || !kinds.every((k) => owed.includes(k))) {
    throw new ResendError(
      'not_required',
      `Invoice ${input.stripeInvoiceId} (${row.status}) owes no ${input.kind ?? 'email'}`,
    );
  }
  const delivery = deliveryOf(row);
  const emails: ResendResult['emails'] = [];
  for (const kind of kinds) {
    const dedupeKey = invoiceEmailDedupeKey(kind, row.stripe_invoice_id);
    const status = delivery[kind].status;
    if (status === 'sent') {
      emails.push({ kind, outcome: 'already_sent' });
    } else if (status === 'failed') {
      const current = await resolveRecipient(row.organization_id);
      const previous = kind === 'invoice_issued' ? row.issued_to : row.receipt_to;
      const to = current && emailAddress.safeParse(current).success ? current : previous;
      if (!to)
        throw new ResendError(
          'no_recipient',
          `Organization ${row.organization_id} has no valid billing email; set one first`,
        );
      emails.push({ kind, outcome: (await requeueFailedMessage(db, dedupeKey, to)) ? 'requeued' : 'in_flight' });
    } else if (status === 'pending') {
      emails.push({ kind, outcome: (await retryMessageNow(db, dedupeKey)) ? 'retry_now' : 'in_flight' });
    } else {
      // queued or not_sent: clearing the stamp puts the invoice back in the mailer's sweep.
      await clearInvoiceEmailQueued(db, row.stripe_invoice_id, kind);
      emails.push({ kind, outcome: 'queued' });
    }
  }
  return { stripeInvoiceId: row.stripe_invoice_id, organizationId: row.organization_id, emails };
}
