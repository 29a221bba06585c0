import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database';
import { INVOICE_EMAIL_KINDS } from '../domain/invoice-emails';

// The invoice-delivery feature's SQL: invoices (read model, read only here) joined with their outbox rows.

/**
 * SQL for "this invoice still owes an email the mailer has not stored": requiredInvoiceEmails with the
 * per-kind markers. Kept identical to the predicate of the partial index `invoices_awaiting_email`
 * (migration 2026-12-05T1801, after 0016) so the planner can use it; `table` only qualifies the columns. Raw: the builder would
 * send the statuses as parameters, and a partial index is matched only against the literal predicate.
 */
export function awaitingEmail(table: 'invoices' | 'i'): RawBuilder<boolean> {
  const c = (column: string) => sql.ref(`${table}.${column}`);
  return sql<boolean>`((${c('issued_email_queued_at')} is null and ${c('amount_due')} > 0 and (${c('status')} in ('open', 'paid') or (${c('status')} = 'uncollectible' and ${c('attempt_count')} > 0)))
    or (${c('receipt_email_queued_at')} is null and ${c('status')} = 'paid' and ${c('amount_paid')} > 0))`;
}

/** Invoices joined with their two outbox rows (by dedupe key, a unique index lookup each). */
function invoicesWithEmails(db: Db) {
  return db
    .selectFrom('invoices as i')
    .leftJoin('email_outbox as oi', (join) =>
      join.on((eb) =>
        eb('oi.dedupe_key', '=', eb(eb.val(`${INVOICE_EMAIL_KINDS[0]}:`), '||', eb.ref('i.stripe_invoice_id'))),
      ),
    )
    .leftJoin('email_outbox as orc', (join) =>
      join.on((eb) =>
        eb('orc.dedupe_key', '=', eb(eb.val(`${INVOICE_EMAIL_KINDS[1]}:`), '||', eb.ref('i.stripe_invoice_id'))),
      ),
    )
    .select([
      'i.organization_id',
      'i.stripe_invoice_id',
      'i.number',
      'i.status',
      'i.amount_due',
      'i.amount_paid',
      'i.attempt_count',
      'i.currency',
      'i.stripe_created_at',
      'i.issued_email_queued_at',
      'i.receipt_email_queued_at',
      'oi.status as issued_status',
      'oi.attempts as issued_attempts',
      'oi.sent_at as issued_sent_at',
      'oi.last_error as issued_error',
      'oi.to_address as issued_to',
      'orc.status as receipt_status',
      'orc.attempts as receipt_attempts',
      'orc.sent_at as receipt_sent_at',
      'orc.last_error as receipt_error',
      'orc.to_address as receipt_to',
    ]);
}

export type InvoiceWithEmails = Awaited<ReturnType<ReturnType<typeof invoicesWithEmails>['executeTakeFirstOrThrow']>>;

export function findInvoiceWithEmails(db: Db, stripeInvoiceId: string): Promise<InvoiceWithEmails | undefined> {
  return invoicesWithEmails(db).where('i.stripe_invoice_id', '=', stripeInvoiceId).executeTakeFirst();
}

export function findInvoicesWithEmails(
  db: Db,
  organizationId: string,
  stripeInvoiceIds: string[],
): Promise<InvoiceWithEmails[]> {
  return invoicesWithEmails(db)
    .where('i.organization_id', '=', organizationId)
    .where('i.stripe_invoice_id', 'in', stripeInvoiceIds)
    .execute();
}

/**
 * Invoices with an email not (yet) accepted by the mail server, newest first. Both sources are partial
 * indexes (email_outbox_undelivered, invoices_awaiting_email), so the list stays cheap as the tables grow.
 */
export function findUndeliveredInvoices(
  db: Db,
  filter: { organizationId?: string; limit: number },
): Promise<InvoiceWithEmails[]> {
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
  return query.execute();
}

/** The invoices the mailer still owes an email, least recently changed first. */
export function findInvoicesAwaitingEmail(db: Db, limit: number) {
  return db
    .selectFrom('invoices')
    .select([
      'organization_id',
      'stripe_invoice_id',
      'number',
      'status',
      'currency',
      'amount_due',
      'amount_paid',
      'attempt_count',
      'billing_reason',
      'hosted_invoice_url',
      'invoice_pdf',
      'period_start',
      'period_end',
      'due_date',
      'paid_at',
      'line_summary',
      'issued_email_queued_at',
      'receipt_email_queued_at',
    ])
    .where(awaitingEmail('invoices'))
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}
