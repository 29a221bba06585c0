import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Pause (issue #20): the pause in force ({ behavior: 'keep_access' | 'no_access', resumesAt: epoch ms | null }; null =
// not paused), so GET /subscription shows it and entitlements know whether a paused subscription keeps its plan's
// limits. The status column already holds any text, `paused` included.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions add column pause jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions drop column pause`.execute(db);
}
