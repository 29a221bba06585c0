import { join } from 'node:path';
import { build } from 'esbuild';

const ENTRY = join(__dirname, 'browser', 'main.ts');
let bundled: Promise<string> | undefined;

/**
 * The browser app (src/billing-page/browser, with the typed client and openapi-fetch) as one script, built by
 * esbuild on first request and kept: nothing generated is committed, nothing comes from a CDN.
 */
export function bundleBrowserApp(): Promise<string> {
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
