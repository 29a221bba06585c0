import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Stripe Tax on invoices: the tax Stripe computed (null: automatic tax was off), the total before tax, and whether the
// invoice was reverse-charged (an EU business customer accounts for the VAT itself). All null for invoices mirrored
// before: the next observation of each fills them in.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices
    add column tax bigint,
    add column total_excluding_tax bigint,
    add column reverse_charge boolean`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices drop column tax, drop column total_excluding_tax, drop column reverse_charge`.execute(
    db,
  );
}
