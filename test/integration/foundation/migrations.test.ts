import { sql } from 'kysely';
import { migrateDown, migrateToLatest } from '../../../src/db/migrator';
import { migrations } from '../../../src/db/migrations';
import { createTestDb, withSchemaDdlLock, type TestDb } from '../../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ migrate: false });
});
afterAll(() => t.destroy());

async function tables(): Promise<string[]> {
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${t.schema} and table_name not like 'kysely_%' order by table_name`.execute(t.db);
  return rows.rows.map((r) => r.table_name);
}

test('migrations go up, all the way down, and up again on the real Postgres', async () => {
  const up = await withSchemaDdlLock('shared', () => migrateToLatest(t.db, t.schema));
  expect(up).toHaveLength(Object.keys(migrations).length);
  expect(await tables()).toEqual(
    expect.arrayContaining([
      'billing_customers',
      'invoices',
      'payment_methods',
      'stripe_events',
      'subscriptions',
      'usage_daily',
      'usage_records',
    ]),
  );

  await withSchemaDdlLock('shared', () => migrateDown(t.db, { all: true, schema: t.schema }));
  expect(await tables()).toEqual([]);

  await withSchemaDdlLock('shared', () => migrateToLatest(t.db, t.schema));
  expect((await tables()).length).toBeGreaterThanOrEqual(7);
  expect(await withSchemaDdlLock('shared', () => migrateToLatest(t.db, t.schema))).toEqual([]);
});

test('money is stored in integer minor units and Stripe ids are unique', async () => {
  const base = {
    organization_id: 'org_1',
    status: 'open',
    currency: 'usd',
    amount_due: 2900,
    stripe_created_at: new Date(),
    source_event_created_at: new Date(),
  };
  await t.db
    .insertInto('invoices')
    .values({ ...base, stripe_invoice_id: 'in_1' })
    .execute();
  const row = await t.db
    .selectFrom('invoices')
    .selectAll()
    .where('stripe_invoice_id', '=', 'in_1')
    .executeTakeFirstOrThrow();
  expect(row.amount_due).toBe(2900);
  await expect(
    t.db
      .insertInto('invoices')
      .values({ ...base, stripe_invoice_id: 'in_1' })
      .execute(),
  ).rejects.toThrow(/unique/i);
});
