import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The key a refund was asked with (an operator's Idempotency-Key, or the cancel step's for a refund of unused time),
// per invoice: a repeat finds its credit note here before anything is recomputed (refunds/refund-invoice.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table credit_notes add column idempotency_key text`.execute(db);
  await sql`create unique index credit_notes_invoice_idempotency_key on credit_notes (stripe_invoice_id, idempotency_key)
    where idempotency_key is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists credit_notes_invoice_idempotency_key`.execute(db);
  await sql`alter table credit_notes drop column if exists idempotency_key`.execute(db);
}
