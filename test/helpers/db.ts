import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDb, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';

/** The test database the scripts create beside the main one. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ??
  (process.env.DATABASE_URL ?? 'postgres://billing:billing@127.0.0.1:5433/billing').replace(/\/[^/?]+(\?|$)/, '/billing_test$1');

export interface TestDb {
  db: Db;
  schema: string;
  url: string;
  /** Drops the schema and closes the pool. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated schema for one suite: suites run in parallel without seeing each other's rows,
 * and nothing re-creates the database.
 */
export async function createTestDb(opts: { migrate?: boolean; poolMax?: number } = {}): Promise<TestDb> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = createDb({ url: TEST_DATABASE_URL, poolMax: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  await admin.destroy();
  const db = createDb({ url: TEST_DATABASE_URL, searchPath: schema, poolMax: opts.poolMax ?? 5 });
  if (opts.migrate !== false) await migrateToLatest(db, schema);
  return {
    db,
    schema,
    url: TEST_DATABASE_URL,
    async destroy() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}
