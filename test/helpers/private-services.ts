import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import pg from 'pg';
import { BILLING_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { freePort } from './processes';
import { TEMPORAL_CLI } from './temporal';

const run = promisify(execFile);

/**
 * Services a fault test may stop, crash and restart without disturbing the shared ones other suites use
 * (Postgres 5433, Temporal 7233): each lives in its own temporary directory on free loopback ports.
 */

async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
  const asPostgres = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));

  const dir = await mkdtemp(path.join(tmpdir(), 'billing-faults-pg-'));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  await asPostgres(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;

  const start = async () => {
    await asPostgres(bin('pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', '-o', options, 'start']);
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

export interface PrivateTemporal {
  address: string;
  /** The server's process id while it runs (the scale benchmark samples its CPU and memory). */
  pid(): number | undefined;
  /** Starts the dev server again on the same ports and database file (workflows resume where they were). */
  start(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/** Search attributes as the CLI's `--search-attribute Name=Type` takes them, from the workflows' own keys. */
function searchAttributeFlags(): string[] {
  const cliType: Partial<Record<SearchAttributeType, string>> = {
    [SearchAttributeType.KEYWORD]: 'Keyword',
    [SearchAttributeType.INT]: 'Int',
    [SearchAttributeType.DATETIME]: 'Datetime',
  };
  return BILLING_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type] ?? 'Keyword'}`]);
}

export interface PrivateTemporalOptions {
  /** `PRAGMA=VALUE` statements for the dev server's SQLite file (`--sqlite-pragma`), e.g. `journal_mode=wal`. */
  sqlitePragmas?: readonly string[];
}

/** The Temporal CLI's dev server (as scripts/services.sh starts the shared one), its state in a file of its own. */
export async function startPrivateTemporal(opts: PrivateTemporalOptions = {}): Promise<PrivateTemporal> {
  const dir = await mkdtemp(path.join(tmpdir(), 'billing-faults-temporal-'));
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const address = `127.0.0.1:${port}`;
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort), '--headless', '--db-filename', path.join(dir, 'temporal.db'), '--log-level', 'error',
    ...(opts.sqlitePragmas ?? []).flatMap((p) => ['--sqlite-pragma', p]),
    ...searchAttributeFlags(),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const proc = spawn(TEMPORAL_CLI, args, { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await pollUntil(`the private Temporal dev server on ${address}`, async () => {
      if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`);
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return true;
      } finally {
        await connection.close();
      }
    }, 60_000);
  };
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    address,
    pid: () => child?.pid,
    start,
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
