import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

// The TypeScript source under tsx; its compiled JavaScript in the image (tsc output, no .ts files there).
const ENTRY = [join(__dirname, 'browser', 'main.ts'), join(__dirname, 'browser', 'main.js')].find((f) => existsSync(f));
let bundled: Promise<string> | undefined;

/**
 * The browser app (src/billing-page/browser, with the typed client and openapi-fetch) as one script, built by
 * esbuild on first request and kept: nothing generated is committed, nothing comes from a CDN.
 */
export function bundleBrowserApp(): Promise<string> {
  if (!ENTRY) return Promise.reject(new Error('the billing page source is missing'));
  bundled ??= build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
  }).then(
    (result) => result.outputFiles[0]?.text ?? '',
    (err: unknown) => {
      bundled = undefined;
      throw err;
    },
  );
  return bundled;
}
