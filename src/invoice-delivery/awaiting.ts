import { sql, type RawBuilder } from 'kysely';

/**
 * SQL for "this invoice still owes an email the mailer has not stored": requiredInvoiceEmails with the
 * per-kind markers. Kept identical to the predicate of the partial index `invoices_awaiting_email`
 * (migration 0016) so the planner can use it; `table` only qualifies the columns.
 */
export function awaitingEmail(table: 'invoices' | 'i'): RawBuilder<boolean> {
  const c = (column: string) => sql.ref(`${table}.${column}`);
  return sql<boolean>`((${c('issued_email_queued_at')} is null and ${c('status')} in ('open', 'paid', 'uncollectible') and ${c('amount_due')} > 0)
    or (${c('receipt_email_queued_at')} is null and ${c('status')} = 'paid' and ${c('amount_paid')} > 0))`;
}
