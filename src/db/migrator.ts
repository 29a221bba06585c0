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
  return unwrap(await migratorFor(db, schema).migrateToLatest());
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
