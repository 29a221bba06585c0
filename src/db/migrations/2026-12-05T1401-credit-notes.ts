import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
// Credit notes an operator issued (refunds): the audit row of who, when, why and how much, beside Stripe's ids.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table credit_notes (
    id uuid primary key default gen_random_uuid(),
    organization_id text not null,
    stripe_invoice_id text not null,
    stripe_credit_note_id text not null unique,
    number text not null,
    currency text not null,
    amount bigint not null check (amount > 0),
    refunded_amount bigint not null check (refunded_amount >= 0),
    reason text,
    memo text,
    pdf_url text,
    actor text not null,
    request_id text,
    created_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index credit_notes_invoice on credit_notes (stripe_invoice_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table credit_notes`.execute(db);
}
