import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The worker's workflow bundle: the prebuilt file at WORKFLOW_BUNDLE_PATH, or one built now in a child
 * process (src/cli/bundle-workflows.ts, with this process's loader flags such as tsx's). Bundling inside
 * the worker left webpack's allocations in its heap for its whole life (about 75 MiB more RSS at idle).
 */
export async function loadWorkflowBundle(prebuiltPath: string | undefined): Promise<{ code: string }> {
  if (prebuiltPath) return { code: await readFile(prebuiltPath, 'utf8') };
  const dir = await mkdtemp(path.join(tmpdir(), 'billing-workflow-bundle-'));
  try {
    const out = path.join(dir, 'workflow-bundle.js');
    // Profiling or debugging flags of this process are not for the bundler.
    const loaderFlags = process.execArgv.filter((a) => !/^--(cpu-prof|heap-prof|inspect|max-old-space-size)/.test(a));
    await run(process.execPath, [...loaderFlags, require.resolve('../cli/bundle-workflows'), out], {
      maxBuffer: 1024 * 1024,
    });
    return { code: await readFile(out, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
