import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { BillingPolicyOverrides } from '../../../src/domain/billing-policy';
import { getStateQuery, subscribeUpdate, subscriptionWorkflowId, type SubscribeArgs, type SubscriptionView } from '../../../src/workflows/messages';
import { BILLING_SEARCH_ATTRIBUTES } from '../../../src/workflows/search-attributes';
import type { subscriptionWorkflow } from '../../../src/workflows/subscription-workflow';
import { createTimeSkippingEnv, uniqueTaskQueue } from '../../helpers/temporal';
import { FakeStripe } from './fake-stripe';

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export interface BillingTestEnv {
  env: TestWorkflowEnvironment;
  fake: FakeStripe;
  taskQueue: string;
  subscribe(organizationId: string, args: SubscribeArgs, opts?: { updateId?: string; policy?: BillingPolicyOverrides }): Promise<SubscriptionView>;
  handle(organizationId: string): WorkflowHandle<typeof subscriptionWorkflow>;
  state(organizationId: string): Promise<SubscriptionView>;
  /** The workflow clock (the time-skipping server's). */
  now(): Promise<number>;
  teardown(): Promise<void>;
}

/**
 * One time-skipping server, one worker with the fake Stripe, for a whole test file. Tests use distinct
 * organizations; the server's clock only moves forward, so each test measures times from its own start.
 */
export async function startBillingTestEnv(): Promise<BillingTestEnv> {
  const env = await createTimeSkippingEnv();
  // The test server knows no custom search attributes until told, like a fresh cluster.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(BILLING_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type] ?? 0])),
  });
  const fake = new FakeStripe();
  const taskQueue = uniqueTaskQueue('billing-wf');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../../src/workflows'),
    activities: fake.activities(),
  });
  const running = worker.run();
  const handle = (org: string) => env.client.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionWorkflowId(org));
  return {
    env,
    fake,
    taskQueue,
    handle,
    subscribe: (organizationId, args, opts = {}) =>
      env.client.workflow.executeUpdateWithStart(subscribeUpdate, {
        args: [args],
        updateId: opts.updateId,
        startWorkflowOperation: new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
          workflowId: subscriptionWorkflowId(organizationId),
          taskQueue,
          args: [{ organizationId, policy: opts.policy }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      }),
    state: (org) => handle(org).query(getStateQuery),
    now: async () => (await env.currentTimeMs()),
    async teardown() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
