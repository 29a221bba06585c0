import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..', '..');
const run = (...args: string[]) =>
  promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/billing.ts', ...args], { cwd: ROOT });

describe('the operator CLI help', () => {
  test('every command is listed with its usage and a complete example', async () => {
    const { stdout } = await run('--help');
    const names = [...stdout.matchAll(/^ {2}([a-z-]+) {2,}\S/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThanOrEqual(11);
    for (const name of names) expect(stdout).toContain(`example: npm run billing -- ${name}`);
  }, 30_000);

  test('<command> --help shows the summary, usage and example, and touches nothing', async () => {
    const { stdout } = await run('backfill', '--help');
    expect(stdout).toMatch(/^Starts a workflow/);
    expect(stdout).toContain('usage: npm run billing -- backfill [--dry-run] [--json]');
    expect(stdout).toContain('example: npm run billing -- backfill --dry-run --json');
  }, 30_000);
});
