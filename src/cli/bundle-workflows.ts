import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../telemetry/temporal';

/**
 * Bundles the workflow code (src/workflows) into one file for the worker's `workflowBundle`:
 *   npm run build:workflows [-- <out.js>]     (default dist/workflow-bundle.js)
 * Production images build it once and set WORKFLOW_BUNDLE_PATH; without it the worker runs this in a child
 * process at start, so webpack's memory is returned to the system with that process instead of staying
 * in the worker's heap for its whole life.
 */
async function main(argv: string[]): Promise<void> {
  if (argv.length > 1 || argv[0]?.startsWith('-')) throw new Error('usage: bundle-workflows [<out.js>]');
  const out = path.resolve(argv[0] ?? 'dist/workflow-bundle.js');
  if (!out.endsWith('.js')) throw new Error(`the bundle's file name must end in .js (got ${out})`);
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    // OpenTelemetry's workflow interceptors behind the sandbox's tracing switch: a bundle serves either setting.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, code);
  process.stdout.write(`workflow bundle: ${out} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bundle-workflows: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
