import { WithStartWorkflowOperation } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import {
  CORE_2026_12_07_PATCH,
  CORE_V2_PATCH,
  type subscriptionWorkflow,
} from '../../src/workflows/subscription-workflow';
import { changePlanUpdate, getStateQuery, subscribeUpdate, subscriptionWorkflowId } from '../../src/workflows/messages';
import { uniqueTaskQueue } from '../helpers/temporal';
import { DAY, FakeStripe, PERIOD } from './helpers/fake-stripe';
import { createBillingTimeSkippingEnv } from './helpers/billing-env';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createBillingTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** The patch ids a run recorded (Temporal's `core_patch` markers). */
function patchesOf(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      const details = e.markerRecordedEventAttributes?.details ?? {};
      const payload = details['patch-data']?.payloads?.[0]?.data;
      return (JSON.parse(Buffer.from(payload ?? []).toString()) as { id: string }).id;
    });
}

test('a run started on the code before the policy core finishes its period on it, then continues on the core', async () => {
  const fake = new FakeStripe();
  const taskQueue = uniqueTaskQueue('billing-upgrade');
  const org = `org-upgrade-${Date.now().toString(36)}`;
  const workflowId = subscriptionWorkflowId(org);
  const before = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/workflows-before-core'),
    activities: fake.activities(),
    // No sticky queue: its tasks would wait for this worker after it stops (the test server's clock stands still meanwhile).
    maxCachedWorkflows: 0,
  });
  const started = await before.runUntil(async () => {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
      workflowId,
      taskQueue,
      args: [{ organizationId: org }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const view = await env.client.workflow.executeUpdateWithStart(subscribeUpdate, {
      args: [{ plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true }],
      startWorkflowOperation,
    });
    await env.sleep(10 * DAY);
    return view;
  });
  expect(started).toMatchObject({ status: 'active', plan: 'starter' });
  const handle = env.client.workflow.getHandle(workflowId);
  const firstRunId = (await handle.describe()).runId;

  // The deployment: today's worker takes over the same task queue and replays the first run's history.
  const today = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../src/workflows'),
    activities: fake.activities(),
  });
  await today.runUntil(async () => {
    await env.sleep(PERIOD);
    const renewed = await handle.query(getStateQuery);
    expect(renewed).toMatchObject({
      status: 'active',
      plan: 'starter',
      currentPeriodEnd: started.currentPeriodEnd! + PERIOD,
    });
    expect(renewed.stateVersion).toBeGreaterThan(started.stateVersion);

    // The new run is the core's: it recorded the marker, and it takes commands and renews.
    const secondRunId = (await handle.describe()).runId;
    expect(secondRunId).not.toBe(firstRunId);
    expect(patchesOf(await env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory())).not.toContain(
      CORE_V2_PATCH,
    );
    // One marker for the core, every behaviour patched in up to 2026-12-06 and runs spanning periods (runs recorded
    // with older markers replay through them: test/workflow/replay.test.ts).
    expect(patchesOf(await env.client.workflow.getHandle(workflowId, secondRunId).fetchHistory())).toEqual([
      CORE_2026_12_07_PATCH,
    ]);
    const upgraded = await handle.executeUpdate(changePlanUpdate, { args: [{ plan: 'professional' }] });
    expect(upgraded).toMatchObject({ change: 'upgraded', subscription: { plan: 'professional', status: 'active' } });
    await env.sleep(PERIOD);
    expect(await handle.query(getStateQuery)).toMatchObject({
      status: 'active',
      plan: 'professional',
      currentPeriodEnd: started.currentPeriodEnd! + 2 * PERIOD,
    });
  });
  const versions = fake.projections
    .filter((p) => p.organizationId === org)
    .map((p) => [p.stateVersion, p.historyLength ?? 0]);
  expect(versions.map(([v]) => v)).toEqual([...versions.map(([v]) => v)].sort((a, b) => (a ?? 0) - (b ?? 0)));
});
