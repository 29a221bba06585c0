import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_SCHEMA_PATH, OPENAPI_JSON_PATH, renderOpenApiJson } from './artifacts';
import { renderClientTypes } from './client-types';

const USAGE = `npm run openapi [-- --check]

Writes docs/openapi.json (the OpenAPI document the API serves) and src/client/schema.d.ts (the typed client's
types, by openapi-typescript) from the route definitions. --check writes nothing and exits 1 when either file
differs from what the code generates (CI runs the same comparison as a test).

Example: npm run openapi -- --check`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) return void console.log(USAGE);
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument: ${unknown.join(' ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const root = join(__dirname, '..', '..');
  const stale: string[] = [];
  const json = renderOpenApiJson();
  const files = { [OPENAPI_JSON_PATH]: json, [CLIENT_SCHEMA_PATH]: await renderClientTypes(json) };
  for (const [path, content] of Object.entries(files)) {
    let current: string | undefined;
    try {
      current = readFileSync(join(root, path), 'utf8');
    } catch {
      current = undefined;
    }
    if (current === content) continue;
    stale.push(path);
    if (!args.includes('--check')) writeFileSync(join(root, path), content);
  }
  if (args.includes('--check') && stale.length > 0) {
    console.error(`out of date: ${stale.join(', ')} (run npm run openapi)`);
    process.exit(1);
  }
  console.log(stale.length === 0 ? 'up to date' : `written: ${stale.join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
