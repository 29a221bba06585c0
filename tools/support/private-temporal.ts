import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { BILLING_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { dyingWithParent, freePort, pollUntil, ROOT } from './processes';

/** The Temporal CLI installed by scripts/setup-tools.sh into the project's virtualenv (no download at run time). */
export const TEMPORAL_CLI = process.env.TEMPORAL_CLI ?? path.join(ROOT, '.local/venv/bin/temporal');

/**
 * A Temporal dev server a fault test may stop and restart, or a benchmark may measure, without disturbing
 * the shared one other suites use (7233): its state in a file of its own, on free loopback ports.
 */
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
  return BILLING_SEARCH_ATTRIBUTES.flatMap((key) => [
    '--search-attribute',
    `${key.name}=${cliType[key.type] ?? 'Keyword'}`,
  ]);
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
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(httpPort),
    '--metrics-port',
    String(metricsPort),
    '--headless',
    '--db-filename',
    path.join(dir, 'temporal.db'),
    '--log-level',
    'error',
    ...(opts.sqlitePragmas ?? []).flatMap((p) => ['--sqlite-pragma', p]),
    ...searchAttributeFlags(),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const proc = spawn(...dyingWithParent(TEMPORAL_CLI, args), { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    await pollUntil(
      `the private Temporal dev server on ${address}`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`);
        const connection = await Connection.connect({ address, connectTimeout: 1_000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } finally {
          await connection.close();
        }
      },
      60_000,
    );
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
