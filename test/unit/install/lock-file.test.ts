import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.resolve(__dirname, '../../..');
const run = promisify(execFile);

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** Where Node (and npm) would find `name` from the package at `from`: its own node_modules, then each parent's. */
function resolveInLock(from: string, name: string): LockEntry | undefined {
  let dir = from;
  for (;;) {
    const entry = lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
    if (entry) return entry;
    if (!dir) return undefined;
    const at = dir.lastIndexOf('node_modules/');
    dir = at <= 0 ? '' : dir.slice(0, at - 1);
  }
}

describe('package-lock.json installs with npm ci on any platform', () => {
  test('every optional dependency, other platforms’ native builds included, has its own entry', () => {
    const missing: string[] = [];
    for (const [at, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolveInLock(at, name)) missing.push(`${name} (optional dependency of ${at || 'the root'})`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every package entry is pinned to a version and an integrity hash', () => {
    const unpinned = Object.entries(lock.packages)
      .filter(([at, e]) => at !== '' && !e.link && (!e.version || !e.integrity))
      .map(([at]) => at);
    expect(unpinned).toEqual([]);
  });

  test('npm ci accepts it against package.json (its own check, offline, in an empty directory)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'billing-npm-ci-'));
    try {
      await copyFile(path.join(root, 'package.json'), path.join(dir, 'package.json'));
      await copyFile(path.join(root, 'package-lock.json'), path.join(dir, 'package-lock.json'));
      // --dry-run stops after npm ci's validation of the lock against package.json; nothing is fetched.
      const { stdout } = await run(
        'npm',
        [
          'ci',
          '--dry-run',
          '--offline',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--cache',
          path.join(dir, 'cache'),
        ],
        { cwd: dir, env: { ...process.env, npm_config_loglevel: 'error' } },
      );
      expect(stdout).toMatch(/added \d+ packages/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
