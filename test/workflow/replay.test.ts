import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { withSandboxSettings } from '../../src/runtime/workflow-bundle';
import { tracingWorkerOptions, WORKFLOW_INTERCEPTOR_MODULES } from '../../src/telemetry/temporal';
import { disabledTracing } from '../../src/telemetry/tracing';
import { HISTORIES_DIR, historyFromFixture } from './helpers/billing-env';

// Bundling the workflows and replaying 150+ histories twice takes about a minute on an idle machine, minutes on a loaded one.
jest.setTimeout(300_000);

/**
 * Every committed history must replay against the current workflow code. A change that alters the commands
 * a recorded run produced (a new activity call, a timer moved, a handler reordered) fails here; such a change
 * needs `patched()` or a new workflow type. Regenerate fixtures only for new scenarios (see the README there).
 */
test('every recorded subscription history replays deterministically against the current workflow code, traced or not', async () => {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  expect(files.length).toBeGreaterThanOrEqual(10);
  const histories = files.map((file) => ({
    workflowId: file,
    history: historyFromFixture(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
  }));
  // The bundle a worker runs (src/cli/bundle-workflows.ts), with the sandbox settings it prepends: the OpenTelemetry
  // workflow interceptors on and off must not change a command (histories were recorded both ways).
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  const failures: string[] = [];
  const replayed = { traced: 0, untraced: 0 };
  for (const tracing of [false, true]) {
    for await (const result of Worker.runReplayHistories(
      {
        workflowBundle: { code: withSandboxSettings(code, { stackTraces: false, tracing }) },
        replayName: `billing-replay-${tracing ? 'traced' : 'untraced'}`,
        // The span exporter sink the traced run's interceptors call (a no-op processor here).
        sinks: tracingWorkerOptions(disabledTracing()).sinks,
      },
      histories,
    )) {
      replayed[tracing ? 'traced' : 'untraced']++;
      if (result.error)
        failures.push(`${tracing ? 'traced' : 'untraced'} ${result.workflowId}: ${result.error.message}`);
    }
  }
  expect(failures).toEqual([]);
  expect(replayed).toEqual({ traced: files.length, untraced: files.length });
});
