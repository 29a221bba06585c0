import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
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
  /**
   * Postgres cancels any statement running longer (SQLSTATE 57014); the API answers it as a 503. Unset: none
   * (migrations and operator commands may run long).
   */
  statementTimeoutMs?: number;
}

export function createDb(opts: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax ?? 10,
    application_name: opts.applicationName ?? 'billing',
    options: opts.searchPath ? `-c search_path=${opts.searchPath}` : undefined,
    connectionTimeoutMillis: 5_000,
    // Sent as a startup parameter, so it holds for every statement on every connection of the pool.
    ...(opts.statementTimeoutMs === undefined ? {} : { statement_timeout: opts.statementTimeoutMs }),
  });
  // An idle connection that dies (Postgres restarted, network cut) is dropped by the pool and the next query
  // opens a new one; without a listener, Node would turn the pool's 'error' event into a process crash.
  pool.on('error', () => undefined);
  // The same for a connection that dies while checked out (pg-pool only listens while it is idle): the query
  // in flight is rejected anyway, and the pool discards the broken connection when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

const pools = new WeakMap<Db, pg.Pool>();

/** The pg pool under a Db made by createDb, for a library that speaks to pg itself (the API's rate limiter). */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}
/** Each statement name's text: a connection would silently keep running the first text prepared under a name. */
const preparedTexts = new Map<string, string>();

/** A statement run as a named prepared statement on every pooled connection (see preparedQuery). */
export interface PreparedStatement {
  /** Unique per statement text: a connection keeps the first text it prepared under a name. */
  name: string;
  /** Lists its columns instead of `*`: a column added by a migration must not change a prepared result type. */
  text: string;
}

/**
 * Runs a hot read as a named prepared statement (pg's `name`): each connection parses and plans it
 * once instead of on every call, which is most of Postgres' work for a one-row index lookup. A Db
 * not made by createDb (a transaction) runs the same text unprepared.
 */
export async function preparedQuery<R>(db: Db, statement: PreparedStatement, values: unknown[]): Promise<R[]> {
  const known = preparedTexts.get(statement.name);
  if (known === undefined) preparedTexts.set(statement.name, statement.text);
  else if (known !== statement.text)
    throw new Error(`prepared statement ${statement.name} has two texts; give the new one a new name`);
  const pool = pools.get(db);
  if (!pool) return (await db.executeQuery<R>(CompiledQuery.raw(statement.text, values))).rows;
  const result = await pool.query({ name: statement.name, text: statement.text, values });
  return result.rows as R[];
}
