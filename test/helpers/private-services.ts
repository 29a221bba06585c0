import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../tools/support/processes';

const run = promisify(execFile);

/**
 * A Postgres a fault test may stop, crash and restart without disturbing the shared one other suites use
 * (5433): in its own temporary directory on a free loopback port. Its Temporal counterpart is
 * tools/support/private-temporal.ts (the scale benchmark runs one too).
 */

export interface PrivatePostgres {
  /** postgres://… of the cluster's `billing` database (trust authentication, loopback only). */
  url: string;
  start(): Promise<void>;
  /** `immediate` is a crash (recovery from the WAL at the next start); `fast` a clean shutdown. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * A throwaway cluster of Debian's PostgreSQL, as scripts/setup-postgres.sh runs the project's own: the
 * server refuses to run as root, so as root every command runs as the `postgres` user in a directory it owns.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no PostgreSQL under /usr/lib/postgresql (scripts/setup-postgres.sh installs it)');
  const bin = (name: string) => `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  const asRoot = process.getuid?.() === 0;
  const asPostgres = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);

  const dir = await mkdtemp(path.join(tmpdir(), 'billing-faults-pg-'));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asPostgres(bin('initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;

  const start = async () => {
    await asPostgres(bin('pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
      'start',
    ]);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await asPostgres(bin('pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']);
  };
  await start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('create database billing');
  await admin.end();

  return {
    url: `postgres://postgres@127.0.0.1:${port}/billing`,
    start,
    stop,
    async destroy() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
