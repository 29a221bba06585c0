import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// The relay's claim walks pending events in Stripe's `created` order. With a btree on stripe_created_at beside the
// pending-only index, the planner could walk the btree instead, through every settled event ever stored, whenever
// its statistics were taken while most rows were pending (a fresh inbox, the start of a storm): measured 20-30 ms a
// claim with 30,000 settled rows and stale statistics, growing with the inbox, against 1-2 ms through the pending
// index. The date-range reads (the health report, pruning, redrive) need no order, and events arrive roughly in
// `created` order, so a BRIN index serves them and leaves the claim only the pending index to walk in order.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index stripe_events_created_brin on stripe_events using brin (stripe_created_at)`.execute(db);
  await sql`drop index if exists stripe_events_created`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists stripe_events_created on stripe_events (stripe_created_at)`.execute(db);
  await sql`drop index if exists stripe_events_created_brin`.execute(db);
}
