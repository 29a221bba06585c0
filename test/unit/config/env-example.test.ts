import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The variables src/config.ts reads: the keys of its zod schema (the only reader of process.env). */
const variables = [...read('src/config.ts').matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1] ?? '');

test('.env.example and docs/configuration.md list every variable the service reads', () => {
  expect(variables.length).toBeGreaterThan(30);
  const example = read('.env.example');
  const docs = read('docs/configuration.md');
  expect(variables.filter((v) => !new RegExp(`^${v}=`, 'm').test(example))).toEqual([]);
  expect(variables.filter((v) => !docs.includes(`\`${v}\``))).toEqual([]);
});
