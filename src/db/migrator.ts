import { Migrator, NO_MIGRATIONS, type MigrationResultSet } from 'kysely';
import type { Db } from './database';
import { migrations } from './migrations';

function migratorFor(db: Db, schema?: string): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return (result.results ?? []).map((r) => `${r.direction} ${r.migrationName}: ${r.status}`);
}

export async function migrateToLatest(db: Db, schema?: string): Promise<string[]> {
  return retryingConcurrentDrops(async () => unwrap(await migratorFor(db, schema).migrateToLatest()));
}

/** Postgres: a schema or a table that was there when the statement's catalog read began is gone. */
const DROPPED_MEANWHILE = new Set(['3F000', '42P01']);

/**
 * Kysely's migrator first reads every schema's tables to find its own (`introspection.getTables`, which calls
 * `pg_get_serial_sequence` per column), and that read fails when another session drops a schema or a table meanwhile
 * ("schema "t_…" does not exist": seen when `npm start` migrated the test database while other suites dropped their
 * schemas). Nothing was migrated then, so the attempt is made again, up to `attempts` times.
 */
export async function retryingConcurrentDrops<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (attempt >= attempts || typeof code !== 'string' || !DROPPED_MEANWHILE.has(code)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** Rolls back the most recent migration (`steps` times), or everything with `all`. */
export async function migrateDown(
  db: Db,
  opts: { steps?: number; all?: boolean; schema?: string } = {},
): Promise<string[]> {
  const migrator = migratorFor(db, opts.schema);
  if (opts.all) return unwrap(await migrator.migrateTo(NO_MIGRATIONS));
  const lines: string[] = [];
  for (let i = 0; i < (opts.steps ?? 1); i++) lines.push(...unwrap(await migrator.migrateDown()));
  return lines;
}
