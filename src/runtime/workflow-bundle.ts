import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKFLOW_TRACING_GLOBAL } from '../workflows/tracing-interceptors';

const run = promisify(execFile);

/**
 * The worker's workflow bundle: the prebuilt file at WORKFLOW_BUNDLE_PATH, or one built now in a child
 * process (src/cli/bundle-workflows.ts, with this process's loader flags such as tsx's). Bundling inside
 * the worker left webpack's allocations in its heap for its whole life (about 75 MiB more RSS at idle).
 * With it, the worker's build id (`workflowBuildId`).
 */
export async function loadWorkflowBundle(
  prebuiltPath: string | undefined,
  settings: WorkflowSandboxSettings,
): Promise<{ code: string; buildId: string }> {
  const { code } = await readBundle(prebuiltPath);
  return { code: withSandboxSettings(code, settings), buildId: workflowBuildId(code) };
}

/**
 * The build id a worker stamps on every workflow task it completes: the SDK's version and a hash of the workflow
 * bundle as built, before the sandbox settings are prepended, so workers that differ only in WORKFLOW_STACK_TRACES
 * or tracing share one id. A subscription run that reaches a new billing period on a build other than the one it
 * started on continues as new (src/workflows/subscription-workflow.ts, `rolloverDue`): that is how new workflow
 * code reaches every running subscription within a period.
 */
export function workflowBuildId(bundleCode: string): string {
  const sdkPackage = readFileSync(require.resolve('@temporalio/workflow/package.json'), 'utf8');
  const sdk = (JSON.parse(sdkPackage) as { version: string }).version;
  return `billing-workflows@sdk-${sdk}+${createHash('sha256').update(bundleCode).digest('hex').slice(0, 20)}`;
}

export interface WorkflowSandboxSettings {
  /** WORKFLOW_STACK_TRACES: keep the SDK's per-promise stack capture and the stacks of workflow errors. */
  stackTraces: boolean;
  /** OpenTelemetry exports from this worker: run its workflow interceptors (src/workflows/tracing-interceptors.ts). */
  tracing: boolean;
}

/** The bundle's code with the settings prepended on its first line (so the bundle's line numbers stay). */
export function withSandboxSettings(code: string, settings: WorkflowSandboxSettings): string {
  const prelude = [
    settings.stackTraces ? '' : WITHOUT_STACK_TRACES,
    settings.tracing ? `globalThis.${WORKFLOW_TRACING_GLOBAL} = true;` : '',
  ].join('');
  return `${prelude}${code}`;
}

/**
 * Prepended to the bundle (same line, so line numbers stay): the sandbox's `Error.stackTraceLimit` is 0. The SDK
 * captures a stack for every promise workflow code creates (a promise hook, for the `__stack_trace` query: `new
 * Error().stack` in the sandbox, each frame mapped through the bundle's source map); with the limit at 0 that
 * capture records no frames and costs next to nothing. It runs with the bundle's first evaluation, before the
 * SDK freezes the sandbox's globals. Determinism is unaffected: stacks are never part of a workflow's commands.
 * What goes: the stack trace query's content and the stacks of errors thrown in workflow code (their messages
 * stay). WORKFLOW_STACK_TRACES=1 keeps them.
 */
export const WITHOUT_STACK_TRACES = 'Error.stackTraceLimit = 0;';

async function readBundle(prebuiltPath: string | undefined): Promise<{ code: string }> {
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
