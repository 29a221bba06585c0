import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { BillingPolicyOverrides } from '../../../src/domain/billing-policy';
import {
  getStateQuery,
  subscribeUpdate,
  subscriptionWorkflowId,
  type SubscribeArgs,
  type SubscriptionView,
} from '../../../src/workflows/messages';
import { BILLING_SEARCH_ATTRIBUTES } from '../../../src/workflows/search-attributes';
import type { subscriptionWorkflow } from '../../../src/workflows/subscription-workflow';
import { createTimeSkippingEnv, runsOf, uniqueTaskQueue } from '../../helpers/temporal';
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
  subscribe(
    organizationId: string,
    args: SubscribeArgs,
    opts?: { updateId?: string; policy?: BillingPolicyOverrides },
  ): Promise<SubscriptionView>;
  handle(organizationId: string): WorkflowHandle<typeof subscriptionWorkflow>;
  /** Records the organization's workflow with RECORD_HISTORIES=1 (subscribe does it by itself). */
  track(organizationId: string): void;
  state(organizationId: string): Promise<SubscriptionView>;
  /** The workflow clock (the time-skipping server's). */
  now(): Promise<number>;
  teardown(): Promise<void>;
}

export const HISTORIES_DIR = path.resolve(__dirname, '../../fixtures/histories');
/** Runs per workflow kept as fixtures: the first runs cover every code path; a year of renewals adds nothing. */
const RUNS_RECORDED = 3;

/**
 * Fixtures are protobufjs' plain-object form of the History (enums and longs as strings, bytes base64),
 * read back with History.fromObject. (The SDK's historyToJSON trips over two protobufjs copies in this tree.)
 */
export function historyToFixture(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(
    temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
      longs: String,
      enums: String,
      bytes: String,
    }),
  );
}

export function historyFromFixture(json: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(JSON.parse(json) as Record<string, unknown>);
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/**
 * With RECORD_HISTORIES=1, writes each workflow's first runs (following continue-as-new) to
 * test/fixtures/histories/<tag>--<test name>--run<N>.json for the replay test.
 */
async function recordHistories(
  env: TestWorkflowEnvironment,
  tag: string,
  firstRuns: Map<string, { test: string }>,
): Promise<void> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  for (const [workflowId, { test }] of firstRuns) {
    const runs = (await runsOf(env.client, workflowId)).slice(0, RUNS_RECORDED);
    runs.forEach((history, i) =>
      writeFileSync(
        path.join(HISTORIES_DIR, `${tag}--${slug(test)}--run${i + 1}.json`),
        `${historyToFixture(history)}\n`,
      ),
    );
  }
}

/** A time-skipping server that knows the billing search attributes (it knows none until told, like a fresh cluster). */
export async function createBillingTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await createTimeSkippingEnv();
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(BILLING_SEARCH_ATTRIBUTES.map((k) => [k.name, INDEXED[k.type] ?? 0])),
  });
  return env;
}

/**
 * One time-skipping server, one worker with the fake Stripe, for a whole test file. Tests use distinct
 * organizations; the server's clock only moves forward, so each test measures times from its own start.
 */
export async function startBillingTestEnv(tag: string): Promise<BillingTestEnv> {
  const env = await createBillingTimeSkippingEnv();
  const fake = new FakeStripe();
  const taskQueue = uniqueTaskQueue('billing-wf');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../../src/workflows'),
    activities: fake.activities(),
  });
  const running = worker.run();
  const firstRuns = new Map<string, { test: string }>();
  const handle = (org: string) =>
    env.client.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionWorkflowId(org));
  const track = (organizationId: string) => {
    const workflowId = subscriptionWorkflowId(organizationId);
    if (!firstRuns.has(workflowId))
      firstRuns.set(workflowId, { test: expect.getState().currentTestName ?? organizationId });
  };
  return {
    env,
    fake,
    taskQueue,
    handle,
    async subscribe(organizationId, args, opts = {}) {
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof subscriptionWorkflow>(
        'subscriptionWorkflow',
        {
          workflowId: subscriptionWorkflowId(organizationId),
          taskQueue,
          args: [{ organizationId, policy: opts.policy }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        },
      );
      track(organizationId);
      return env.client.workflow.executeUpdateWithStart(subscribeUpdate, {
        args: [args],
        updateId: opts.updateId,
        startWorkflowOperation,
      });
    },
    track,
    state: (org) => handle(org).query(getStateQuery),
    now: async () => await env.currentTimeMs(),
    async teardown() {
      if (process.env.RECORD_HISTORIES === '1') await recordHistories(env, tag, firstRuns);
      worker.shutdown();
      await running;
      await env.teardown();
      expect(fake.invalidNotifications).toEqual([]);
    },
  };
}
