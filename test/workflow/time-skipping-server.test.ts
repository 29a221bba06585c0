import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

jest.setTimeout(120_000);

test('a workflow that sleeps 30 days finishes in seconds on the time-skipping server', async () => {
  const env = await createTimeSkippingEnv();
  try {
    const taskQueue = uniqueTaskQueue('sleepy');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/sleepy-workflow'),
    });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute('sleepyWorkflow', { args: [30], taskQueue, workflowId: taskQueue }),
    );
    expect(result).toBe('slept 30 days');
    expect(Date.now() - started).toBeLessThan(60_000);
  } finally {
    await env.teardown();
  }
});
