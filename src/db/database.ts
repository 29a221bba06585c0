import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

// int8 (bigint) → number: amounts in minor units and counters stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// date → 'YYYY-MM-DD' string: a calendar day must not be shifted by the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<Database>;

export interface DbOptions {
  url: string;
  poolMax?: number;
  /** Per-suite isolation in tests: every connection uses this schema first. */
  searchPath?: string;
  applicationName?: string;
}

export function createDb(opts: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax ?? 10,
    application_name: opts.applicationName ?? 'billing',
    options: opts.searchPath ? `-c search_path=${opts.searchPath}` : undefined,
    connectionTimeoutMillis: 5_000,
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
