import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  stripeEventSignal,
  subscribeUpdate,
  subscriptionWorkflowId,
  updatePaymentMethodUpdate,
} from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription-workflow';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';

// Its own test server: stopping and restarting a worker mid-test left the shared one's time skipping stuck
// for the tests after it.
jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('update-race');
});
afterAll(async () => {
  for (const inv of t?.fake.invoices.values() ?? []) expect(inv.paidCount).toBeLessThanOrEqual(1);
  await t?.teardown();
});

const org = `org-race-${Date.now().toString(36)}`;
const payTimes = (invoiceId: string) => t.fake.payCalls.filter((c) => c.invoiceId === invoiceId).map((c) => c.at);
const notices = (kind: string) => t.fake.notifications.filter((n) => n.organizationId === org && n.kind === kind);

test("a card update that reaches the workflow together with the failed renewal's webhook retries the invoice at once", async () => {
  // A worker of this test's own, so that nothing runs while the webhook and the card update queue up:
  // both then arrive in one workflow task, the customer having seen past_due (in the dashboard, an email)
  // before the workflow took the event. The update must see that delivered event, start dunning and retry.
  const taskQueue = uniqueTaskQueue('billing-wf-race');
  // No sticky cache: the stopped worker's sticky queue would hold the next task until it timed out.
  const newWorker = () =>
    Worker.create({
      connection: t.env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: t.fake.activities(),
      maxCachedWorkflows: 0,
    });
  const workflowId = subscriptionWorkflowId(org);
  let worker = await newWorker();
  let running = worker.run();
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    workflowId,
    taskQueue,
    args: [{ organizationId: org }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const start = await t.env.client.workflow.executeUpdateWithStart(subscribeUpdate, {
    args: [{ plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true }],
    startWorkflowOperation,
  });
  t.fake.setCardBehaviour(start.stripeSubscriptionId!, 'pm_insufficient_funds');
  worker.shutdown();
  await running;
  // Past the renewal, before the workflow's own backstop would look.
  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + 10 * 60_000);
  const handle = t.handle(org);
  await handle.signal(stripeEventSignal, {
    eventId: `${org}-failed`,
    type: 'invoice.payment_failed',
    objectId: 'in_renewal',
    created: Math.floor((await t.now()) / 1000),
  });
  const update = handle.executeUpdate(updatePaymentMethodUpdate, { args: [{ paymentMethodId: 'pm_ok' }] });
  worker = await newWorker();
  running = worker.run();
  try {
    const result = await update;
    expect(result).toMatchObject({
      retry: 'paid',
      subscription: { status: 'active', dunning: null, defaultPaymentMethodId: 'pm_ok' },
    });
    const invoiceId = [...t.fake.invoices.values()].find(
      (i) =>
        i.subscriptionId === start.stripeSubscriptionId &&
        i.attempts > 0 &&
        i.paidCount === 1 &&
        payTimes(i.id).length > 0,
    )?.id;
    expect(invoiceId).toBeDefined();
    expect(payTimes(invoiceId!)).toHaveLength(1);
    expect(notices('payment_recovered')).toHaveLength(1);
  } finally {
    // A run left with no worker would hold a workflow task that blocks the test server's time skipping.
    await handle.terminate('test over');
    worker.shutdown();
    await running;
  }
});
