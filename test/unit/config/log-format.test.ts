import { PRODUCTION_ENV } from '../../helpers/production-env';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/config';

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = `
const { createLogger } = require('./src/logger');
const log = createLogger({ logLevel: 'info', logFormat: process.argv[1] }, 'probe');
log.info({ organizationId: 'org_1' }, 'subscription renewed');
setTimeout(() => process.exit(0), 500);
`;

async function linesOf(format: 'json' | 'pretty'): Promise<string> {
  const run = promisify(execFile);
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['-e', SCRIPT, format], { cwd: ROOT });
  return stdout;
}

describe('log format', () => {
  test('pretty (pino-pretty) reads as a line for a person; json is one object per line', async () => {
    // eslint-disable-next-line no-control-regex
    const pretty = (await linesOf('pretty')).replace(/\u001b\[\d+m/g, '');
    expect(pretty).toMatch(/INFO.*\(probe\).*subscription renewed/);
    expect(pretty).toContain('organizationId: "org_1"');
    const json = JSON.parse((await linesOf('json')).trim()) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'probe', msg: 'subscription renewed', organizationId: 'org_1' });
  }, 30_000);

  test('LOG_FORMAT picks it; without it, json unless stdout is a terminal (never pretty in production)', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ ...PRODUCTION_ENV, JWT_SECRET: 'x'.repeat(32) }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
