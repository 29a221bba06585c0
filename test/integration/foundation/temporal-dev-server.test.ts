import { Worker } from '@temporalio/worker';
import { connectDevServer, uniqueTaskQueue } from '../../helpers/temporal';

jest.setTimeout(60_000);

test('a workflow round-trips through a real worker on the Temporal dev server', async () => {
  const env = await connectDevServer();
  try {
    const taskQueue = uniqueTaskQueue('foundation');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../fixtures/sleepy-workflow'),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute('echoWorkflow', { args: ['hello'], taskQueue, workflowId: `${taskQueue}-echo` }),
    );
    expect(result).toBe('echo: hello');
    const described = await env.client.workflow.getHandle(`${taskQueue}-echo`).describe();
    expect(described.status.name).toBe('COMPLETED');
  } finally {
    await env.teardown();
  }
});
