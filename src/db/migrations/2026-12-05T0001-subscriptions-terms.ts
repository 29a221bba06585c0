import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Annual billing, seats and add-on packs: the terms Stripe bills ({ interval, seats, addOns }; null = monthly,
// no seats, no add-ons) and the change a subscription schedule holds for the period end ({ plan, interval, seats,
// addOns, effectiveAt }), so GET /subscription shows both and entitlements read the limits the terms give.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column terms jsonb, add column scheduled_change jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions drop column terms, drop column scheduled_change`.execute(db);
}
