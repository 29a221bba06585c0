import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The relay holds an organization's later events back while an earlier one is pending; this
// partial index keeps that check cheap however large the inbox grows.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index stripe_events_pending_by_org on stripe_events (organization_id, stripe_created_at, id)
    where relay_status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists stripe_events_pending_by_org`.execute(db);
}
