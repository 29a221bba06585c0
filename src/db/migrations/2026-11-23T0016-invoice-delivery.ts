import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // When the invoice mailer stored each email of the invoice in the outbox (null = not yet). The
  // outbox row itself (dedupe key `invoice_issued:<id>` / `invoice_receipt:<id>`) carries the delivery.
  await db.schema
    .alterTable('invoices')
    .addColumn('issued_email_queued_at', 'timestamptz')
    .addColumn('receipt_email_queued_at', 'timestamptz')
    .execute();
  // Invoices mirrored before invoice emails existed are not emailed retroactively on deploy (an
  // operator can still send one with resend-invoice); they show as delivery status `not_sent`.
  await sql`update invoices set issued_email_queued_at = now(), receipt_email_queued_at = now()`.execute(db);
  // The mailer's due-query: only invoices still owing an email are in this index, so a sweep stays
  // cheap however many invoices have been delivered. Its predicate is repeated verbatim in the query.
  await sql`create index invoices_awaiting_email on invoices (updated_at)
    where (issued_email_queued_at is null and status in ('open', 'paid', 'uncollectible') and amount_due > 0)
       or (receipt_email_queued_at is null and status = 'paid' and amount_paid > 0)`.execute(db);
  // Undelivered emails for operators: a small set, however large the outbox grows.
  await sql`create index email_outbox_undelivered on email_outbox (created_at) where status <> 'sent'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists email_outbox_undelivered`.execute(db);
  await sql`drop index if exists invoices_awaiting_email`.execute(db);
  await db.schema
    .alterTable('invoices')
    .dropColumn('receipt_email_queued_at')
    .dropColumn('issued_email_queued_at')
    .execute();
}
