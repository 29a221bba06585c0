import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dyingWithParent, ROOT } from '../../tools/support/processes';

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
          reject(
            new Error(`${name} exited (code ${child.exitCode}) before printing ${pattern}:\n${out.slice(-3_000)}`),
          );
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
 * Runs a TypeScript entry point as `node [nodeArgs] --import tsx <file>`: the pid is the program itself (the `tsx`
 * wrapper would put its own process in between), so /proc/<pid> measures the worker, not a launcher.
 */
export function startNodeService(
  name: string,
  file: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): Service {
  const child = spawn(
    ...dyingWithParent(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, file), ...args]),
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return track(name, child);
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
