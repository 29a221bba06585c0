import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dyingWithParent, ROOT } from '../../../tools/support/processes';

jest.setTimeout(20_000);

/** Running: in /proc and not a zombie (an orphan's exit is reaped by whichever process adopted it, maybe later). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/**
 * A parent process (as a bench driver) spawns `sleep` the way the benches and the fault suite spawn their services,
 * prints the child's pid, and is then SIGKILLed: no exit handler of it runs.
 */
async function orphanAfterSigkill(guarded: boolean): Promise<number> {
  const helper = path.join(ROOT, 'tools/support/processes.ts');
  const code = `
    const { spawn } = require('node:child_process');
    const { dyingWithParent } = require(${JSON.stringify(helper)});
    const [cmd, args] = ${guarded} ? dyingWithParent('sleep', ['30']) : ['sleep', ['30']];
    const child = spawn(cmd, args, { stdio: 'ignore' });
    console.log(child.pid);
    setInterval(() => undefined, 1000);
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const childPid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
    parent.once('exit', (code) => reject(new Error(`the parent exited with ${code} before printing`)));
  });
  expect(alive(childPid)).toBe(true);
  parent.kill('SIGKILL');
  await new Promise((resolve) => parent.once('exit', resolve));
  return childPid;
}

describe('dyingWithParent', () => {
  it('runs the command itself through setpriv, so its pid is the command', () => {
    const [cmd, args] = dyingWithParent('/bin/true', ['--x']);
    expect([cmd, ...args]).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/bin/true', '--x']);
  });

  it('a child spawned through it dies with a SIGKILLed parent; one spawned plainly outlives it', async () => {
    const guarded = await orphanAfterSigkill(true);
    expect(await until(() => !alive(guarded), 3_000)).toBe(true);

    const plain = await orphanAfterSigkill(false);
    try {
      expect(await until(() => !alive(plain), 1_000)).toBe(false);
    } finally {
      process.kill(plain, 'SIGKILL');
    }
  });
});
