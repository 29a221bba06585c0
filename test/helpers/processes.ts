import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point to completion (or until `timeoutMs`) with an environment of the test's choosing. */
export function runEntryPoint(file: string, env: Record<string, string>, args: string[] = [], timeoutMs = 30_000): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, file), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
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

/** Starts a long-running entry point; the caller stops it with `stop()` (SIGTERM, then waits for exit). */
export function startEntryPoint(file: string, env: Record<string, string>): { child: ChildProcess; output: () => string; stop: () => Promise<number | null> } {
  const child = spawn(TSX, [path.join(ROOT, file)], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
