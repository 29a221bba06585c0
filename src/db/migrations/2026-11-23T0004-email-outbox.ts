import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // One row per business event: a retried activity enqueuing the same key is a no-op.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Null when the organization has no billing email: the row is kept as failed, never dropped.
    .addColumn('to_address', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // For pending rows: when to try next; for sending rows: when the claim's lease runs out.
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('email_outbox_status', sql`status in ('pending', 'sending', 'sent', 'failed')`)
    .addCheckConstraint('email_outbox_recipient', sql`to_address is not null or status = 'failed'`)
    .execute();
  // The dispatcher's due-query: pending rows and expired claims, oldest deadline first.
  await sql`create index email_outbox_due on email_outbox (next_attempt_at)
    where status in ('pending', 'sending')`.execute(db);
  await db.schema
    .createIndex('email_outbox_org_created')
    .on('email_outbox')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema.createIndex('email_outbox_created').on('email_outbox').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('email_outbox').ifExists().execute();
}
