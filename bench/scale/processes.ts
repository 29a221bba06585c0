import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { BILLING_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { ROOT } from '../../test/helpers/processes';

const TEMPORAL_CLI = path.join(ROOT, '.local/venv/bin/temporal');
/** The names the Temporal CLI takes for `--search-attribute NAME=TYPE`. */
const CLI_TYPE: Partial<Record<SearchAttributeType, string>> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DATETIME]: 'Datetime',
};

/** A child process of the benchmark, with its output kept for the post-mortem of a failed run. */
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves once `pattern` appears in its output; fails if it exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function track(name: string, child: ChildProcess): Service {
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return {
    name,
    child,
    pid: child.pid,
    output: () => out,
    waitForOutput(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(out)) return;
          cleanup();
          resolve();
        };
        const onExit = (): void => {
          cleanup();
          reject(new Error(`${name} exited (code ${child.exitCode}) before printing ${pattern}:\n${out.slice(-3_000)}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-3_000)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * Runs a TypeScript entry point as `node --import tsx <file>`: the pid is the program itself (the `tsx`
 * wrapper would put its own process in between), so /proc/<pid> measures the worker, not a launcher.
 */
export function startNodeService(name: string, file: string, env: Record<string, string>, args: string[] = []): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(name, child);
}

/** A private Temporal dev server (its own ports and SQLite file), with the billing search attributes registered. */
export async function startTemporalDevServer(opts: { port: number; dbFile: string | null }): Promise<Service> {
  const attributes = BILLING_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type] ?? 'Keyword'}`]);
  const child = spawn(
    TEMPORAL_CLI,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--headless', '--log-level', 'error',
      ...(opts.dbFile ? ['--db-filename', opts.dbFile] : []), ...attributes],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const service = track('temporal', child);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address: `127.0.0.1:${opts.port}`, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return service;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await service.stop();
        throw new Error(`the private Temporal dev server did not start: ${String(err)}\n${service.output().slice(-2_000)}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** Resident memory and CPU seconds of one process, from /proc (Linux). */
export interface ProcSample {
  rssBytes: number;
  cpuSeconds: number;
}

const CLOCK_TICKS = 100;

export function readProc(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    return { rssBytes: rssKb * 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}
