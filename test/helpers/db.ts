import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';

/** The test database the scripts create beside the main one. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ??
  (process.env.DATABASE_URL ?? 'postgres://billing:billing@127.0.0.1:5433/billing').replace(
    /\/[^/?]+(\?|$)/,
    '/billing_test$1',
  );

export interface TestDb {
  db: Db;
  schema: string;
  url: string;
  /** Drops the schema and closes the pool. */
  destroy(): Promise<void>;
}

/** Advisory lock key shared by every suite that migrates or drops a test schema. */
const SCHEMA_DDL_LOCK = 7_270_011;

/**
 * Runs `fn` while holding the schema-DDL advisory lock (shared for migrations, exclusive for drops).
 * Kysely's migrator introspects the tables of EVERY schema (pg_get_serial_sequence on each name); a
 * schema dropped by another suite in the middle of that scan fails it with "schema … does not exist".
 * Migrations may run side by side; a drop waits until none is scanning.
 */
export async function withSchemaDdlLock<T>(mode: 'shared' | 'exclusive', fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [
      SCHEMA_DDL_LOCK,
    ]);
    return await fn();
  } finally {
    await client.end(); // ending the session releases the lock
  }
}

/** Postgres codes for a relation or schema that vanished between the catalog scan and the lookup. */
const VANISHED = new Set(['42P01', '3F000']);

/**
 * Migrates `schema`, retrying (at most twice) when Kysely's scan of every schema's tables trips over
 * another suite's schema whose migration transaction is still in flight (CI saw "relation
 * t_….payment_methods does not exist" there). Kysely migrates in one transaction, so a failed attempt
 * leaves nothing behind.
 */
async function migrateRetryingScans(db: Db, schema: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateToLatest(db, schema);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 3 || typeof code !== 'string' || !VANISHED.has(code)) throw error;
    }
  }
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
  if (opts.migrate !== false) await withSchemaDdlLock('shared', () => migrateRetryingScans(db, schema));
  return {
    db,
    schema,
    url: TEST_DATABASE_URL,
    async destroy() {
      await withSchemaDdlLock('exclusive', () => sql`drop schema ${sql.id(schema)} cascade`.execute(db));
      await db.destroy();
    },
  };
}
