import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createSubscriptionClient, WorkflowNotReachableError } from '../../../src/subscriptions/client';

/**
 * Temporal's NOT_FOUND is believed only when a describe agrees: a server restarting from its database answers
 * NOT_FOUND for a namespace or an update it has not reloaded, and taking that for "no workflow" answered an
 * upgrade 409 and would mark a webhook ignored.
 */
type Described = { status: { name: string } } | 'missing' | 'unavailable';

function clientWhere(described: Described, calls: string[]) {
  const notFound = () => new WorkflowNotFoundError('not found', 'subscription:org_1', undefined);
  const workflowHandle = {
    workflowId: 'subscription:org_1',
    executeUpdate: () => {
      calls.push('update');
      return Promise.reject(notFound());
    },
    signal: () => {
      calls.push('signal');
      return Promise.reject(notFound());
    },
    describe: () => {
      calls.push('describe');
      if (described === 'missing') return Promise.reject(notFound());
      if (described === 'unavailable') return Promise.reject(new Error('14 UNAVAILABLE'));
      return Promise.resolve(described);
    },
  };
  const temporal = { workflow: { getHandle: () => workflowHandle } } as unknown as Client;
  return createSubscriptionClient(temporal, { taskQueue: 'q', policyProfile: 'standard' });
}

test.each([
  ['running', { status: { name: 'RUNNING' } }, WorkflowNotReachableError],
  ['missing', 'missing', WorkflowNotFoundError],
  ['completed (continued or canceled runs closed)', { status: { name: 'COMPLETED' } }, WorkflowNotFoundError],
] as const)('an update answered "not found" for a workflow that is %s', async (_, described, expected) => {
  const calls: string[] = [];
  const client = clientWhere(described, calls);
  await expect(client.changePlan('org_1', { plan: 'professional' }, 'key')).rejects.toBeInstanceOf(expected);
  expect(calls).toEqual(['update', 'describe']);
});

test('a describe that fails too passes its own error on (the caller retries), never "no subscription"', async () => {
  const client = clientWhere('unavailable', []);
  await expect(client.cancel('org_1', { atPeriodEnd: true }, 'key')).rejects.toThrow('UNAVAILABLE');
});

test('a webhook for a running workflow answered "not found" is retried, not marked as having no live workflow', async () => {
  const signal = { eventId: 'evt_1', type: 'invoice.paid', objectId: 'in_1', created: 1 };
  await expect(clientWhere({ status: { name: 'RUNNING' } }, []).signalEvent('org_1', signal)).rejects.toBeInstanceOf(
    WorkflowNotReachableError,
  );
  await expect(clientWhere('missing', []).signalEvent('org_1', signal)).resolves.toBe('no_live_workflow');
});
