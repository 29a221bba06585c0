import { Kysely, sql } from 'kysely';

// Overage is reported as the period goes (one meter event per new block), so a row keeps how many blocks
// Stripe has confirmed beside the pending total (`blocks`, under `identifier`).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('usage_overage_reports')
    .addColumn('reported_blocks', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update usage_overage_reports set reported_blocks = blocks where reported_at is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('usage_overage_reports').dropColumn('reported_blocks').execute();
}
