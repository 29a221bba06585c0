import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The invoice's lines as its email shows them, taken from the webhook's invoice once Stripe finalized it (lines of a
// finalized invoice no longer change), so the invoice mailer reads Stripe only for rows mirrored before this column.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices add column line_summary text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices drop column if exists line_summary`.execute(db);
}
