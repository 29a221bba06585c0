import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// subscriptions.state_version held the projection order `stateVersion * 2^20 + historyLength` (the
// workflow task's history length breaks ties between two attempts of one task). The two numbers get a
// column each and are compared as a pair; rows written in the combined form are decoded here.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column history_length integer not null default 0`.execute(db);
  await sql`update subscriptions
    set state_version = state_version / 1048576, history_length = state_version % 1048576
    where state_version >= 1048576`.execute(db);
}

// A history length is at least 1 wherever one was recorded, so only those rows go back to the combined form.
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update subscriptions set state_version = state_version * 1048576 + history_length where history_length > 0`.execute(
    db,
  );
  await sql`alter table subscriptions drop column history_length`.execute(db);
}
