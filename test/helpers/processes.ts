import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../tools/support/processes';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point to completion (or until `timeoutMs`) with an environment of the test's choosing. */
export function runEntryPoint(
  file: string,
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, file), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningEntryPoint {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (a graceful shutdown), then waits for exit. */
  stop: () => Promise<number | null>;
  /** Sends `signal` (e.g. SIGKILL: a crash, nothing cleaned up), then waits for exit. */
  kill: (signal: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts a long-running entry point. Node loads tsx as a module hook (`--import tsx`) instead of going
 * through the tsx CLI, which runs the program in a second process: a signal then reaches the program
 * itself, and a SIGKILL leaves no orphan behind.
 */
export function startEntryPoint(file: string, env: Record<string, string>, args: string[] = []): RunningEntryPoint {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    cwd: ROOT,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { child, output: () => out, stop: () => kill('SIGTERM'), kill };
}
