import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { tracingWorkerOptions } from '../../src/telemetry/temporal';
import { disabledTracing } from '../../src/telemetry/tracing';
import { HISTORIES_DIR, historyFromFixture } from './helpers/billing-env';

// Bundling the workflows and replaying 150+ histories takes ~40 s on an idle machine, minutes on a loaded one.
jest.setTimeout(300_000);

/**
 * Every committed history must replay against the current workflow code. A change that alters the commands
 * a recorded run produced (a new activity call, a timer moved, a handler reordered) fails here; such a change
 * needs `patched()` or a new workflow type. Regenerate fixtures only for new scenarios (see the README there).
 */
test('every recorded subscription history replays deterministically against the current workflow code', async () => {
  const files = readdirSync(HISTORIES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  expect(files.length).toBeGreaterThanOrEqual(10);
  const histories = files.map((file) => ({
    workflowId: file,
    history: historyFromFixture(readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
  }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    // With the OpenTelemetry workflow interceptors every worker bundles: tracing must not change a command.
    {
      workflowsPath: require.resolve('../../src/workflows'),
      replayName: 'billing-replay',
      ...tracingWorkerOptions(disabledTracing()),
    },
    histories,
  )) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(files.length);
});
