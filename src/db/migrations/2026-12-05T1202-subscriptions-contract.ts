import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Enterprise contracts (issue #20): the contract in force ({ amount, currency, interval, limits, collection }; null =
// a catalog plan), so GET /subscription shows it and entitlements apply its limits, and the invoice awaiting payment
// under collection by invoice ({ invoiceId, amountDue, currency, dueAt }).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column contract jsonb, add column invoice_due jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions drop column contract, drop column invoice_due`.execute(db);
}
