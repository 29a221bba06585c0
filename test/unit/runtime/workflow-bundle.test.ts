import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { loadWorkflowBundle, workflowBuildId } from '../../../src/runtime/workflow-bundle';
import { interceptors, WORKFLOW_TRACING_GLOBAL } from '../../../src/workflows/tracing-interceptors';

/** A stand-in bundle: records how many frames a stack captured inside the sandbox has (as the SDK's promise hook does). */
const BUNDLE = `function deep(n) { return n ? deep(n - 1) : new Error('x').stack; }
globalThis.frames = deep(5).split('\\n').length - 1;`;

describe('the worker’s workflow bundle', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bundle-test-'));
    file = path.join(dir, 'workflow-bundle.js');
    writeFileSync(file, BUNDLE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sandbox = (code: string): Record<string, unknown> => {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    return context;
  };
  const framesIn = (code: string): number => sandbox(code).frames as number;

  it('captures no stack frames in the sandbox unless stack traces are asked for, and keeps line numbers', async () => {
    const off = await loadWorkflowBundle(file, { stackTraces: false, tracing: false });
    expect(framesIn(off.code)).toBe(0);
    expect(off.code.split('\n')).toHaveLength(BUNDLE.split('\n').length);
    const on = await loadWorkflowBundle(file, { stackTraces: true, tracing: false });
    expect(on.code).toBe(BUNDLE);
    expect(framesIn(on.code)).toBeGreaterThan(5);
  });

  it('leaves the stack trace limit outside the sandbox alone', async () => {
    const before = Error.stackTraceLimit;
    framesIn((await loadWorkflowBundle(file, { stackTraces: false, tracing: false })).code);
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('turns the OpenTelemetry workflow interceptors on in the sandbox only when the worker traces', async () => {
    const traced = await loadWorkflowBundle(file, { stackTraces: false, tracing: true });
    expect(sandbox(traced.code)[WORKFLOW_TRACING_GLOBAL]).toBe(true);
    expect(traced.code.split('\n')).toHaveLength(BUNDLE.split('\n').length);
    expect(framesIn(traced.code)).toBe(0);
    const untraced = await loadWorkflowBundle(file, { stackTraces: true, tracing: false });
    expect(sandbox(untraced.code)).not.toHaveProperty(WORKFLOW_TRACING_GLOBAL);
  });

  it('names the build by the SDK and the bundle as built: the sandbox settings do not change it, other code does', async () => {
    const ids = await Promise.all(
      [
        { stackTraces: false, tracing: false },
        { stackTraces: true, tracing: false },
        { stackTraces: false, tracing: true },
      ].map(async (settings) => (await loadWorkflowBundle(file, settings)).buildId),
    );
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^billing-workflows@sdk-\d+\.\d+\.\d+\+[0-9a-f]{20}$/);
    expect(workflowBuildId(BUNDLE)).toBe(ids[0]);
    expect(workflowBuildId(`${BUNDLE}\n// changed`)).not.toBe(ids[0]);
  });

  // With the switch on they are OpenTelemetry's, which only construct inside a workflow: test/faults/tracing.test.ts
  // sees the workflow's span in a tracing worker's trace.
  it('gives a run no interceptors without the switch', () => {
    expect(interceptors()).toEqual({});
  });
});
