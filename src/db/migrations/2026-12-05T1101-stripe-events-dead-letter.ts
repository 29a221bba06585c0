import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// An event the relay failed WEBHOOK_RELAY_MAX_ATTEMPTS times is parked as `dead_lettered` (with its
// last error and when), so it no longer holds back its organization's later events; redrive-events
// makes it pending again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table stripe_events
    drop constraint stripe_events_relay_status,
    add constraint stripe_events_relay_status check (relay_status in ('pending', 'relayed', 'ignored', 'dead_lettered')),
    add column dead_lettered_at timestamptz`.execute(db);
  await sql`create index stripe_events_dead_lettered on stripe_events (dead_lettered_at)
    where relay_status = 'dead_lettered'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update stripe_events set relay_status = 'pending', next_attempt_at = now()
    where relay_status = 'dead_lettered'`.execute(db);
  await sql`drop index if exists stripe_events_dead_lettered`.execute(db);
  await sql`alter table stripe_events
    drop column dead_lettered_at,
    drop constraint stripe_events_relay_status,
    add constraint stripe_events_relay_status check (relay_status in ('pending', 'relayed', 'ignored'))`.execute(db);
}
