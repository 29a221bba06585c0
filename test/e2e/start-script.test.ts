import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_DATABASE_URL } from '../helpers/db';

jest.setTimeout(180_000);

/**
 * `npm start` (scripts/start.sh) against the running services, on ports, a task queue and a log directory of its
 * own, stopped the two ways a person stops it: Ctrl-C (SIGINT to the terminal's whole process group) and a
 * SIGTERM to the script alone. Every process it started must be gone within the shutdown budget.
 */
const root = path.resolve(__dirname, '../..');
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** The script's budget (SHUTDOWN_TIMEOUT_MS rounded up, plus 2 s), and a margin for a loaded machine. */
const BUDGET_MS = SHUTDOWN_TIMEOUT_MS + 2_000 + 3_000;
const PORT = 3917;
const WORKER_PORT = 9477;

/** Processes that carry this run's marker in their environment and are the script, tee or a program it started. */
function startedBy(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`BILLING_START_TEST=${marker}\0`)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ');
      if (/src\/(worker|server)\.ts|scripts\/start\.sh|^tee |esbuild/.test(cmd))
        found.push({ pid: Number(entry), cmd });
    } catch {
      // The process ended while it was being read.
    }
  }
  return found;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

function start(marker: string): ChildProcess {
  return spawn('bash', ['scripts/start.sh'], {
    cwd: root,
    // Its own process group, as a terminal gives a foreground command (Ctrl-C reaches the whole group).
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      // Never rebuild the database the other suites are using (setup.sh drops billing_test when this is 1).
      BILLING_FRESH_TEST_DATABASE: '',
      BILLING_START_TEST: marker,
      BILLING_LOG_DIR: mkdtempSync(path.join(tmpdir(), 'billing-start-')),
      PORT: String(PORT),
      WORKER_METRICS_PORT: String(WORKER_PORT),
      WORKER_SDK_METRICS_PORT: '9478',
      TEMPORAL_TASK_QUEUE: `start-script-${marker}`,
      DATABASE_URL: TEST_DATABASE_URL,
      // A key of its own against the simulator: no catalog sync into the shared simulator, no test clocks.
      STRIPE_SECRET_KEY: 'sk_test_startscript',
      STRIPE_API_URL: 'http://127.0.0.1:12211',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      LOG_LEVEL: 'warn',
    },
  });
}

const MARKERS: string[] = [];
afterEach(() => {
  // Whatever a failed run left behind (found by the markers of this file's own runs only).
  for (const { pid } of MARKERS.flatMap(startedBy))
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
});

test('a SIGTERM to the script, while the worker is still starting, stops the worker and the API within the budget', async () => {
  const marker = randomUUID();
  MARKERS.push(marker);
  const script = start(marker);
  expect(await until(() => answers(`http://127.0.0.1:${PORT}/readyz`), 120_000)).toBeDefined();
  expect(startedBy(marker).some((p) => p.cmd.includes('src/worker.ts'))).toBe(true);
  process.kill(script.pid as number, 'SIGTERM');
  const stoppedAfter = await until(() => startedBy(marker).length === 0, BUDGET_MS);
  expect(startedBy(marker).map((p) => p.cmd.slice(0, 80))).toEqual([]);
  expect(stoppedAfter).toBeLessThan(BUDGET_MS);
});

test('Ctrl-C (SIGINT to the whole process group) stops the worker and the API within the budget', async () => {
  const marker = randomUUID();
  MARKERS.push(marker);
  const script = start(marker);
  expect(await until(() => answers(`http://127.0.0.1:${WORKER_PORT}/readyz`), 150_000)).toBeDefined();
  expect(await answers(`http://127.0.0.1:${PORT}/readyz`)).toBe(true);
  process.kill(-(script.pid as number), 'SIGINT');
  const stoppedAfter = await until(() => startedBy(marker).length === 0, BUDGET_MS);
  expect(startedBy(marker).map((p) => p.cmd.slice(0, 80))).toEqual([]);
  expect(stoppedAfter).toBeLessThan(BUDGET_MS);
  expect(await answers(`http://127.0.0.1:${PORT}/healthz`)).toBe(false);
});

test('a SIGTERM before the API answers ends the script too, instead of leaving it polling the stopped API', async () => {
  const marker = randomUUID();
  MARKERS.push(marker);
  const script = start(marker);
  // The API's process exists, but it has not answered yet: the script is in its wait for /readyz.
  expect(await until(() => startedBy(marker).some((p) => p.cmd.includes('src/server.ts')), 120_000)).toBeDefined();
  expect(await answers(`http://127.0.0.1:${PORT}/readyz`)).toBe(false);
  process.kill(script.pid as number, 'SIGTERM');
  const stoppedAfter = await until(() => startedBy(marker).length === 0, BUDGET_MS);
  expect(startedBy(marker).map((p) => p.cmd.slice(0, 80))).toEqual([]);
  expect(stoppedAfter).toBeLessThan(BUDGET_MS);
});
