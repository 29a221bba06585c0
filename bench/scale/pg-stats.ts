import { sql } from 'kysely';
import type { Db } from '../../src/db/database';
import { readProc } from './processes';

export interface PgWrites {
  inserted: number;
  updated: number;
  deleted: number;
  /** pg_database_size of the run's database. */
  bytes: number;
  /** Rows inserted per table, most first. */
  insertedByTable: [string, number][];
  /** pg_total_relation_size per table (with its indexes and TOAST), largest first. */
  bytesByTable: [string, number][];
}

/**
 * Row counters of the run's database (pg_stat_user_tables: every insert, update and delete since the database was
 * created) and its size. Backends report their counters when a transaction ends, at most once a second, and an
 * idle one within about ten seconds: read it after the system has been quiet that long.
 */
export async function readPgWrites(db: Db): Promise<PgWrites> {
  const rows = (
    await sql<{ relname: string; ins: string; upd: string; del: string; bytes: string }>`
      select relname, n_tup_ins::text as ins, n_tup_upd::text as upd, n_tup_del::text as del,
        pg_total_relation_size(relid)::text as bytes
      from pg_stat_user_tables`.execute(db)
  ).rows;
  const size = (await sql<{ bytes: string }>`select pg_database_size(current_database())::text as bytes`.execute(db))
    .rows[0];
  const total = (k: 'ins' | 'upd' | 'del'): number => rows.reduce((n, r) => n + Number(r[k]), 0);
  return {
    inserted: total('ins'),
    updated: total('upd'),
    deleted: total('del'),
    bytes: Number(size?.bytes ?? 0),
    insertedByTable: rows.map((r): [string, number] => [r.relname, Number(r.ins)]).sort((a, b) => b[1] - a[1]),
    bytesByTable: rows.map((r): [string, number] => [r.relname, Number(r.bytes)]).sort((a, b) => b[1] - a[1]),
  };
}

/** What happened between two readings. */
export function pgWritesBetween(before: PgWrites, after: PgWrites): PgWrites {
  const was = new Map(before.insertedByTable);
  const sizeWas = new Map(before.bytesByTable);
  return {
    inserted: after.inserted - before.inserted,
    updated: after.updated - before.updated,
    deleted: after.deleted - before.deleted,
    bytes: after.bytes - before.bytes,
    insertedByTable: after.insertedByTable
      .map(([t, n]): [string, number] => [t, n - (was.get(t) ?? 0)])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
    bytesByTable: after.bytesByTable
      .map(([t, n]): [string, number] => [t, n - (sizeWas.get(t) ?? 0)])
      .filter(([, n]) => n !== 0)
      .sort((a, b) => b[1] - a[1]),
  };
}

/**
 * CPU of the Postgres backends serving the run's database (pg_stat_activity by `datname`), from /proc every
 * `intervalMs`: the shared server's other databases and its background writers are not counted. A backend that
 * exits between two samples loses its last interval's CPU.
 */
export function startPgCpuSampler(db: Db, dbName: string, intervalMs = 1_000) {
  const seen = new Map<number, { first: number; last: number }>();
  let firstSample = true;
  const sample = async (): Promise<void> => {
    const pids = (
      await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${dbName}`.execute(db)
    ).rows.map((r) => r.pid);
    for (const pid of pids) {
      const cpu = readProc(pid)?.cpuSeconds;
      if (cpu === undefined) continue;
      const entry = seen.get(pid);
      // A backend already running at the first sample counts from there; one born later, from its start.
      if (!entry) seen.set(pid, { first: firstSample ? cpu : 0, last: cpu });
      else entry.last = cpu;
    }
    firstSample = false;
  };
  let running = sample();
  const timer = setInterval(() => {
    running = running.then(sample).catch(() => undefined);
  }, intervalMs);
  return {
    async stop(): Promise<{ cpuSeconds: number; backends: number }> {
      clearInterval(timer);
      await running;
      await sample().catch(() => undefined);
      let cpuSeconds = 0;
      for (const { first, last } of seen.values()) cpuSeconds += last - first;
      return { cpuSeconds, backends: seen.size };
    },
  };
}
