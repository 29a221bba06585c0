import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The customer's billing identity beside its billing email: legal name, address and tax IDs, as synced to the
// Stripe customer (tax IDs with Stripe's ids and verification), and when the profile was last written.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing_customers
    add column legal_name text,
    add column address jsonb,
    add column tax_ids jsonb not null default '[]'::jsonb,
    add column profile_updated_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table billing_customers
    drop column legal_name,
    drop column address,
    drop column tax_ids,
    drop column profile_updated_at`.execute(db);
}
