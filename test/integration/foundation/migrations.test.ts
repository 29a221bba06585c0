import { Migrator, sql } from 'kysely';
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

test('usage de-duplication per organization: the migration keeps every ledger row and count, then lets another organization use an id', async () => {
  const s = await createTestDb({ migrate: false });
  try {
    const migrator = new Migrator({
      db: s.db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: s.schema,
    });
    await withSchemaDdlLock('shared', () => migrator.migrateTo('2026-12-05T1101-stripe-events-dead-letter'));
    const ledger = [
      { event_id: 'evt-1', organization_id: 'org_a' },
      { event_id: 'evt-2', organization_id: 'org_b' },
    ];
    await s.db.insertInto('usage_event_keys').values(ledger).execute();
    const period = {
      metric_type: 'messages',
      period_start: new Date('2026-03-01Z'),
      period_end: new Date('2026-04-01Z'),
    };
    await s.db
      .insertInto('usage_records')
      .values([
        { ...period, organization_id: 'org_a', quantity: 5 },
        { ...period, organization_id: 'org_b', quantity: 7 },
      ])
      .execute();
    const before = await s.db.selectFrom('usage_event_keys').selectAll().orderBy('event_id').execute();

    await withSchemaDdlLock('shared', () => migrator.migrateTo('2026-12-05T1102-usage-dedupe-per-organization'));

    expect(await s.db.selectFrom('usage_event_keys').selectAll().orderBy('event_id').execute()).toEqual(before);
    const counts = await s.db
      .selectFrom('usage_records')
      .select(['organization_id', 'quantity'])
      .orderBy('organization_id')
      .execute();
    expect(counts).toEqual([
      { organization_id: 'org_a', quantity: 5 },
      { organization_id: 'org_b', quantity: 7 },
    ]);
    await s.db.insertInto('usage_event_keys').values({ event_id: 'evt-1', organization_id: 'org_b' }).execute();
    await expect(
      s.db.insertInto('usage_event_keys').values({ event_id: 'evt-1', organization_id: 'org_a' }).execute(),
    ).rejects.toThrow(/usage_event_keys_pkey/);

    // Down: one ledger row per id again, the first received kept.
    await withSchemaDdlLock('shared', () => migrator.migrateTo('2026-12-05T1101-stripe-events-dead-letter'));
    expect(
      await s.db.selectFrom('usage_event_keys').select(['event_id', 'organization_id']).orderBy('event_id').execute(),
    ).toEqual(ledger);
  } finally {
    await s.destroy();
  }
});
