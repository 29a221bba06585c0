import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// An invoice marked uncollectible without an attempt (a renewal during a pause with access) owes no invoice
// email (domain/invoice-emails.ts): the mailer's partial index follows the rule, or such invoices would stay
// in it for ever. Its predicate is repeated verbatim in invoice-delivery/store.ts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists invoices_awaiting_email`.execute(db);
  await sql`create index invoices_awaiting_email on invoices (updated_at)
    where (issued_email_queued_at is null and amount_due > 0 and (status in ('open', 'paid') or (status = 'uncollectible' and attempt_count > 0)))
       or (receipt_email_queued_at is null and status = 'paid' and amount_paid > 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists invoices_awaiting_email`.execute(db);
  await sql`create index invoices_awaiting_email on invoices (updated_at)
    where (issued_email_queued_at is null and status in ('open', 'paid', 'uncollectible') and amount_due > 0)
       or (receipt_email_queued_at is null and status = 'paid' and amount_paid > 0)`.execute(db);
}
