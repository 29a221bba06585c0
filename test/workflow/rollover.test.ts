import { WithStartWorkflowOperation } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { BillingPolicyOverrides } from '../../src/domain/billing-policy';
import { getStateQuery, subscribeUpdate, subscriptionWorkflowId } from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription-workflow';
import { runsOf, uniqueTaskQueue } from '../helpers/temporal';
import { createBillingTimeSkippingEnv } from './helpers/billing-env';
import { DAY, FakeStripe, PERIOD } from './helpers/fake-stripe';

// A run continues as new at a new billing period only when its history is long or its code changed
// (src/workflows/subscription-workflow.ts, `rolloverDue`; docs/workflow-versioning.md). The time-skipping server
// records no worker build on workflow tasks, so a change of code is tested on the dev server
// (test/e2e/deploy-rollover.test.ts).

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createBillingTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

let seq = 0;
const newOrg = () => `org-rollover-${++seq}-${Date.now().toString(36)}`;

/**
 * A worker on the workflow code under test. No sticky cache: every workflow task replays the run's history, so a
 * decision that read anything but history would differ on replay and fail the task.
 */
function workerOn(buildId: string, taskQueue: string, fake: FakeStripe, maxCachedWorkflows = 0): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: fake.activities(),
    buildId,
    maxCachedWorkflows,
  });
}

async function subscribe(org: string, taskQueue: string, policy?: BillingPolicyOverrides) {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(org),
    taskQueue,
    args: [{ organizationId: org, policy }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return env.client.workflow.executeUpdateWithStart(subscribeUpdate, {
    args: [{ plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true }],
    startWorkflowOperation,
  });
}

/**
 * Ends the test's workflows: the time-skipping server does not skip time while a workflow task waits for a worker, so
 * a later test's sleep would stall on this test's timers once its worker has stopped.
 */
async function endAll(orgs: string[]): Promise<void> {
  await Promise.all(
    orgs.map((org) => env.client.workflow.getHandle(subscriptionWorkflowId(org)).terminate('test over')),
  );
}

const continuedAsNew = (history: temporal.api.history.v1.IHistory) =>
  history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes != null;

test('on unchanged code one run spans billing periods, and continues as new at the first period past its history limit', async () => {
  const fake = new FakeStripe();
  const taskQueue = uniqueTaskQueue('billing-rollover');
  const [spanning, limited] = [newOrg(), newOrg()];
  const worker = await workerOn('build-a', taskQueue, fake);
  await worker.runUntil(async () => {
    const a = await subscribe(spanning, taskQueue);
    const b = await subscribe(limited, taskQueue, { runHistoryLimit: 40 });
    await env.sleep(DAY);
    const firstRun = (await env.client.workflow.getHandle(subscriptionWorkflowId(spanning)).describe()).runId;
    for (let month = 1; month <= 4; month++) await env.sleep(PERIOD);
    for (const [org, view] of [
      [spanning, a],
      [limited, b],
    ] as const) {
      expect(await env.client.workflow.getHandle(subscriptionWorkflowId(org)).query(getStateQuery)).toMatchObject({
        status: 'active',
        plan: 'starter',
        currentPeriodEnd: view.currentPeriodEnd! + 4 * PERIOD,
      });
    }
    expect((await env.client.workflow.getHandle(subscriptionWorkflowId(spanning)).describe()).runId).toBe(firstRun);
  });
  await endAll([spanning, limited]);

  const [only, ...none] = await runsOf(env.client, subscriptionWorkflowId(spanning));
  expect(none).toEqual([]);
  expect(continuedAsNew(only!)).toBe(false);
  expect(fake.invoices.size).toBeGreaterThan(0);

  // The limited one: every run but the last reached the limit, and each ended at a renewal.
  const runs = await runsOf(env.client, subscriptionWorkflowId(limited));
  expect(runs.length).toBeGreaterThanOrEqual(2);
  expect(runs.length).toBeLessThan(5);
  for (const run of runs.slice(0, -1)) {
    expect(continuedAsNew(run)).toBe(true);
    expect(run.events!.length).toBeGreaterThanOrEqual(40);
  }
});

test('a run decides at the renewal only: dunning retries that take its history past the limit do not end it mid-period', async () => {
  const fake = new FakeStripe();
  const taskQueue = uniqueTaskQueue('billing-rollover');
  const limits = [20, 26, 32, 38];
  const orgs = limits.map(() => newOrg());
  // A sticky cache: with none, core 1.24 reports an SDK bug on the eviction after a dunning retry's activity and the
  // run stalls (the replay of every task is the first test's business).
  const worker = await workerOn('build-a', taskQueue, fake, 10);
  await worker.runUntil(async () => {
    const views = await Promise.all(orgs.map((org, i) => subscribe(org, taskQueue, { runHistoryLimit: limits[i] })));
    // Every renewal's first charge fails; the card works again after the first retry, so the second retry pays
    // (retries 1 and 3 days after the failure): two retry tasks and their Stripe reads in the middle of the period.
    for (const view of views) fake.setCardBehaviour(view.stripeSubscriptionId!, 'pm_insufficient_funds');
    await env.sleep(views[0]!.currentPeriodEnd! - (await env.currentTimeMs()) + 2 * DAY);
    for (const view of views) fake.setCardBehaviour(view.stripeSubscriptionId!, 'pm_ok');
    await env.sleep(2 * DAY);
    for (const org of orgs)
      expect(await env.client.workflow.getHandle(subscriptionWorkflowId(org)).query(getStateQuery)).toMatchObject({
        status: 'active',
        dunning: null,
      });
    await env.sleep(PERIOD);
  });
  await endAll(orgs);

  let ended = 0;
  for (const org of orgs) {
    const runs = await runsOf(env.client, subscriptionWorkflowId(org));
    for (const [i, run] of runs.slice(0, -1).entries()) {
      ended++;
      const closedAt = eventTime(run.events!.at(-1)!);
      const next = runs[i + 1]!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!;
      const { carried } = JSON.parse(Buffer.from(next).toString()) as { carried: { currentPeriodStart: number } };
      // Closed in the renewal's own tasks (the backstop reads Stripe within hours), not at a retry days later.
      expect(closedAt - carried.currentPeriodStart).toBeLessThan(DAY / 2);
    }
  }
  expect(ended).toBeGreaterThan(0);
});

const eventTime = (e: temporal.api.history.v1.IHistoryEvent) =>
  Number(e.eventTime!.seconds) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6);
