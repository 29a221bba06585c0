import { WithStartWorkflowOperation } from '@temporalio/client';
import {
  changePlanUpdate,
  createSetupIntentUpdate,
  stripeEventSignal,
  subscriptionWorkflowId,
} from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription-workflow';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { AUTH_CARD, DAY } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('payment-action');
});
afterAll(async () => {
  for (const inv of t?.fake.invoices.values() ?? []) expect(inv.paidCount).toBeLessThanOrEqual(1);
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-sca-${++orgSeq}-${Date.now().toString(36)}`;
const HOUR = 3_600_000;
const notices = (org: string, kind: string) =>
  t.fake.notifications.filter((n) => n.organizationId === org && n.kind === kind);
/** Stripe's webhook after the customer completed (or abandoned) the payment: the workflow re-fetches. */
const paidEvent = (org: string, id: string) =>
  t.handle(org).signal(stripeEventSignal, { eventId: `evt_${id}`, type: 'invoice.paid', objectId: id, created: 0 });

test('a first payment that needs authentication leaves the subscription incomplete with the action, and active once authenticated', async () => {
  const org = newOrg();
  const view = await t.subscribe(org, { plan: 'starter', paymentMethodId: AUTH_CARD, skipTrial: true });
  expect(view).toMatchObject({
    status: 'incomplete',
    plan: 'starter',
    dunning: null,
    paymentAction: { type: 'requires_action', clientSecret: expect.stringMatching(/secret/) },
  });
  const invoiceId = view.paymentAction!.invoiceId;

  await t.env.sleep(HOUR);
  t.fake.authenticate(invoiceId, 'succeed');
  await paidEvent(org, invoiceId);
  await t.env.sleep(60_000);
  expect(await t.state(org)).toMatchObject({ status: 'active', paymentAction: null, dunning: null });
  expect(t.fake.invoices.get(invoiceId)?.paidCount).toBe(1);
});

test('a first payment never authenticated expires after 23 hours: back on free, nothing charged, no email', async () => {
  const org = newOrg();
  const view = await t.subscribe(org, { plan: 'professional', paymentMethodId: AUTH_CARD, skipTrial: true });
  expect(view.status).toBe('incomplete');
  await t.env.sleep(23 * HOUR + 3 * HOUR);
  const ended = await t.state(org);
  expect(ended).toMatchObject({ status: 'canceled', plan: 'free', paymentAction: null });
  expect(
    [...t.fake.invoices.values()].filter((i) => i.subscriptionId === view.stripeSubscriptionId && i.paidCount > 0),
  ).toEqual([]);
  expect(t.fake.notifications.filter((n) => n.organizationId === org)).toEqual([]);
});

test('a renewal that needs authentication gets its own dunning: the link at once, no blind retries, paid through the link', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  t.fake.setCardBehaviour(start.stripeSubscriptionId!, AUTH_CARD);
  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + 3 * HOUR);
  const waiting = await t.state(org);
  expect(waiting).toMatchObject({
    status: 'past_due',
    dunning: { phase: 'action_required', nextRetryAt: null },
    paymentAction: { type: 'requires_action' },
  });
  const invoiceId = waiting.dunning!.invoiceId;
  expect(notices(org, 'payment_action_required')).toEqual([
    expect.objectContaining({
      data: expect.objectContaining({ invoiceId, hostedInvoiceUrl: `https://pay.example/${invoiceId}` }),
    }),
  ]);
  expect(notices(org, 'payment_failed')).toEqual([]);

  await t.env.sleep(5 * DAY);
  expect(t.fake.payCalls.filter((c) => c.invoiceId === invoiceId)).toEqual([]);
  t.fake.authenticate(invoiceId, 'succeed');
  await paidEvent(org, invoiceId);
  await t.env.sleep(60_000);
  expect(await t.state(org)).toMatchObject({ status: 'active', dunning: null, paymentAction: null });
  expect(notices(org, 'payment_recovered')).toHaveLength(1);
});

test('an upgrade whose payment needs authentication keeps the plan until it is paid, then applies it', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  t.fake.setCardBehaviour(start.stripeSubscriptionId!, AUTH_CARD);
  const result = await t.handle(org).executeUpdate(changePlanUpdate, { args: [{ plan: 'professional' }] });
  expect(result).toMatchObject({
    change: 'upgrade_requires_action',
    subscription: {
      plan: 'starter',
      status: 'active',
      pendingUpgradePlan: 'professional',
      paymentAction: { type: 'requires_action' },
    },
  });
  await expect(t.handle(org).executeUpdate(changePlanUpdate, { args: [{ plan: 'enterprise' }] })).rejects.toThrow();

  const invoiceId = result.subscription.paymentAction!.invoiceId;
  t.fake.authenticate(invoiceId, 'succeed');
  await paidEvent(org, invoiceId);
  await t.env.sleep(60_000);
  expect(await t.state(org)).toMatchObject({
    plan: 'professional',
    status: 'active',
    pendingUpgradePlan: null,
    paymentAction: null,
    dunning: null,
  });
});

test('an upgrade left unauthenticated is rolled back when Stripe’s window closes: its invoice voided, the plan unchanged', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  t.fake.setCardBehaviour(start.stripeSubscriptionId!, AUTH_CARD);
  const result = await t.handle(org).executeUpdate(changePlanUpdate, { args: [{ plan: 'professional' }] });
  const invoiceId = result.subscription.paymentAction!.invoiceId;
  await t.env.sleep(24 * HOUR);
  expect(await t.state(org)).toMatchObject({
    plan: 'starter',
    status: 'active',
    pendingUpgradePlan: null,
    paymentAction: null,
    dunning: null,
  });
  expect(t.fake.invoices.get(invoiceId)?.status).toBe('void');
  expect(t.fake.subscriptions.get(start.stripeSubscriptionId!)?.plan).toBe('starter');
});

test('a SetupIntent can be asked for before subscribing: it creates the Stripe customer the later subscribe uses', async () => {
  const org = newOrg();
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(org),
    taskQueue: t.taskQueue,
    args: [{ organizationId: org }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const intent = await t.env.client.workflow.executeUpdateWithStart(createSetupIntentUpdate, {
    args: [],
    updateId: `si-${org}`,
    startWorkflowOperation,
  });
  expect(intent).toMatchObject({
    setupIntentId: expect.stringMatching(/^seti_/),
    clientSecret: expect.stringMatching(/_secret$/),
  });
  expect(await t.state(org)).toMatchObject({ status: 'none', stripeCustomerId: expect.stringMatching(/^cus_/) });
  const customerId = (await t.state(org)).stripeCustomerId;

  const subscribed = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(subscribed).toMatchObject({ status: 'active', stripeCustomerId: customerId });
  expect([...t.fake.customers.values()].filter((c) => c.organizationId === org)).toHaveLength(1);
});
