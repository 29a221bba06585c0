import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Discounts (issue #21): an invoice's subtotal before discounts and the discounts' total (Stripe's subtotal and the sum
// of total_discount_amounts), so GET /invoices shows what a coupon took off. Null on rows mirrored before this
// migration, until the invoice's next event or reconciliation rewrites them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices add column subtotal bigint, add column discount_amount bigint`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table invoices drop column subtotal, drop column discount_amount`.execute(db);
}
