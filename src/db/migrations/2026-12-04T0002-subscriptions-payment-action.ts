import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// A payment waiting for the customer (3-D Secure) and the dunning phase, so GET /subscription can show a banner:
// the action (invoice, PaymentIntent, client secret, hosted invoice link), the plan an upgrade waits to apply,
// and the dunning phase (retrying, action_required, grace) with its next date.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions
    add column payment_action jsonb,
    add column pending_upgrade_plan text,
    add column dunning_phase text,
    add column dunning_next_action_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table subscriptions
    drop column payment_action,
    drop column pending_upgrade_plan,
    drop column dunning_phase,
    drop column dunning_next_action_at`.execute(db);
}
