import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * Process and port helpers shared by the tests (test/helpers), the benchmarks (bench/) and the tools:
 * none of them imports another's support code.
 */

export const ROOT = path.resolve(__dirname, '../..');

/** Polls `check` until it returns true, or fails naming `what` (and the last error) after `timeoutMs`. */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${what} did not answer within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
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

const SETPRIV = '/usr/bin/setpriv';

/**
 * The command line that runs `command` so that the kernel kills it when the process that spawned it dies, even by
 * SIGKILL, where no exit handler runs (util-linux's `setpriv --pdeathsig KILL`: prctl PR_SET_PDEATHSIG, then exec, so
 * the pid is the command's own). A bench killed mid-run used to leave its dev server, simulator and mail sink running.
 * Where setpriv is missing (not Linux), the command as it is.
 */
export function dyingWithParent(command: string, args: readonly string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
}
