import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { loadWorkflowBundle } from '../../../src/runtime/workflow-bundle';

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

  const framesIn = (code: string): number => {
    const context = vm.createContext({});
    vm.runInContext(code, context);
    return (context as { frames: number }).frames;
  };

  it('captures no stack frames in the sandbox unless stack traces are asked for, and keeps line numbers', async () => {
    const off = await loadWorkflowBundle(file, { stackTraces: false });
    expect(framesIn(off.code)).toBe(0);
    expect(off.code.split('\n')).toHaveLength(BUNDLE.split('\n').length);
    const on = await loadWorkflowBundle(file, { stackTraces: true });
    expect(on.code).toBe(BUNDLE);
    expect(framesIn(on.code)).toBeGreaterThan(5);
  });

  it('leaves the stack trace limit outside the sandbox alone', async () => {
    const before = Error.stackTraceLimit;
    framesIn((await loadWorkflowBundle(file, { stackTraces: false })).code);
    expect(Error.stackTraceLimit).toBe(before);
  });
});
