import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database';

/**
 * A scale or storm run's database is dropped when the run ends. A driver killed before that (SIGKILL, a lost
 * terminal) leaves it behind, and its child processes die with it (`dyingWithParent`), so nothing else would ever
 * drop it. Each run's database therefore carries its driver's pid and host in its comment, and the next run drops
 * the ones whose driver is gone. A database kept on purpose (`--keep`) says so in its comment and is never dropped.
 */
export const RUN_DATABASE_PREFIX = 'billing_scale_';

const OWNER = /^bench run of pid (\d+) on (.+)$/;

export const ownerComment = (pid: number, host: string): string => `bench run of pid ${pid} on ${host}`;
export const keptComment = (host: string): string => `kept by a bench run on ${host} (--keep): drop it by hand`;

export interface RunDatabase {
  name: string;
  comment: string | null;
}

/**
 * The run databases whose driver is gone: named as a run's, owned by a driver on this host (another host's pids say
 * nothing here) whose pid no longer runs. Unmarked databases (made before the mark existed, or in the instant
 * between a run's `create database` and its comment) and kept ones are left alone.
 */
export function orphanedRunDatabases(
  databases: readonly RunDatabase[],
  host: string,
  alive: (pid: number) => boolean,
): string[] {
  return databases
    .filter((d) => d.name.startsWith(RUN_DATABASE_PREFIX))
    .filter((d) => {
      const owner = OWNER.exec(d.comment ?? '');
      return owner !== null && owner[2] === host && !alive(Number(owner[1]));
    })
    .map((d) => d.name);
}

/** Whether a process with this pid runs (signal 0 checks without sending; EPERM means it runs as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks a run's database as this driver's (COMMENT takes a literal, not a parameter; the text is ours). */
export async function markRunDatabase(admin: Db, dbName: string): Promise<void> {
  await sql`comment on database ${sql.id(dbName)} is ${sql.lit(ownerComment(process.pid, hostname()))}`.execute(admin);
}

/** Marks a run's database as kept on purpose, so no later run drops it. */
export async function markRunDatabaseKept(admin: Db, dbName: string): Promise<void> {
  await sql`comment on database ${sql.id(dbName)} is ${sql.lit(keptComment(hostname()))}`.execute(admin);
}

/** Drops the databases of runs whose driver is gone, and says which. */
export async function dropOrphanedRunDatabases(
  admin: Db,
  drop: (dbName: string) => Promise<void>,
  log: (line: string) => void,
): Promise<string[]> {
  const { rows } = await sql<RunDatabase>`
    select datname as name, shobj_description(oid, 'pg_database') as comment
    from pg_database
    where starts_with(datname, ${RUN_DATABASE_PREFIX})
  `.execute(admin);
  const orphans = orphanedRunDatabases(rows, hostname(), processAlive);
  for (const name of orphans) {
    log(`dropping ${name}: the run that made it was killed before its end`);
    await drop(name);
  }
  return orphans;
}
