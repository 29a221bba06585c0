import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Discounts (issue #21): the promotion code's discount on the subscription (DiscountView as JSON: promotionCode,
// couponId, name, percentOff, amountOff, currency, duration, durationInMonths, endsAt ISO; null = none), so
// GET /subscription shows it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column discount jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions drop column discount`.execute(db);
}
