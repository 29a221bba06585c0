import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Contract } from '../../src/domain/contract';
import {
  assignContractUpdate,
  createSetupIntentUpdate,
  stripeEventSignal,
  subscriptionWorkflowId,
  type AssignContractArgs,
} from '../../src/workflows/messages';
import type { subscriptionWorkflow } from '../../src/workflows/subscription-workflow';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { DAY, PERIOD } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('contract');
});
afterAll(async () => {
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-contract-${++orgSeq}-${Date.now().toString(36)}`;
const HOUR = 3_600_000;

const NET_14: Contract = {
  amount: 500_000,
  currency: 'usd',
  interval: 'month',
  limits: { users: 50, agents: 200, messages: -1 },
  collection: { method: 'send_invoice', daysUntilDue: 14 },
};

/** The operator's assignment: update-with-start, as the admin route and the CLI send it. */
const assign = (org: string, args: AssignContractArgs) => {
  t.track(org);
  return t.env.client.workflow.executeUpdateWithStart(assignContractUpdate, {
    args: [args],
    startWorkflowOperation: new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
      workflowId: subscriptionWorkflowId(org),
      taskQueue: t.taskQueue,
      args: [{ organizationId: org }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  });
};
const subscriptionOf = (org: string) => t.fake.onlySubscriptionOf(org)[0]!;
const invoicesOf = (org: string) =>
  [...t.fake.invoices.values()].filter((i) => i.subscriptionId === subscriptionOf(org).id);
const emailsOf = (kind: string, invoiceId: string) =>
  t.fake.notifications.filter((n) => n.kind === kind && n.data.invoiceId === invoiceId);
const paidEvent = async (org: string, invoiceId: string) =>
  t.handle(org).signal(stripeEventSignal, {
    eventId: `evt_paid_${invoiceId}`,
    type: 'invoice.paid',
    objectId: invoiceId,
    created: Math.floor((await t.now()) / 1000),
  });

async function failureType(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type ?? undefined;
}

test('a net-14 contract for an organization on free without a card: invoiced, reminded, overdue, paid late', async () => {
  const org = newOrg();
  const start = await t.now();
  const view = await assign(org, { contract: NET_14, email: 'ap@bigcorp.example' });
  expect(view).toMatchObject({ status: 'active', plan: 'enterprise', unitAmount: 500_000, contract: NET_14 });
  const [first] = invoicesOf(org);
  expect(first).toMatchObject({ amount: 500_000, status: 'open', attempts: 0 });
  expect(view.invoiceDue).toMatchObject({ invoiceId: first!.id, dueAt: first!.dueAt });
  expect(first!.dueAt! - start).toBeGreaterThanOrEqual(14 * DAY);

  await t.env.sleep(first!.dueAt! - (await t.now()) - 2 * DAY);
  expect(emailsOf('invoice_payment_due', first!.id).map((n) => n.data.overdue)).toEqual([false]);
  expect(await t.state(org)).toMatchObject({ status: 'active', dunning: null });

  await t.env.sleep(2 * DAY + HOUR);
  const overdue = await t.state(org);
  expect(overdue).toMatchObject({ status: 'past_due', dunning: { phase: 'grace', nextRetryAt: null } });
  expect(overdue.dunning!.graceEndsAt).toBe(first!.dueAt! + 10 * DAY);
  expect(emailsOf('invoice_payment_due', first!.id).map((n) => n.data.overdue)).toEqual([false, true]);
  expect(t.fake.payCalls.filter((c) => c.invoiceId === first!.id)).toEqual([]);

  // Paid by bank transfer five days late: dunning ends, nothing canceled.
  await t.env.sleep(5 * DAY);
  t.fake.payOutOfBand(first!.id);
  await paidEvent(org, first!.id);
  await t.env.sleep(1_000);
  expect(await t.state(org)).toMatchObject({ status: 'active', dunning: null, plan: 'enterprise', invoiceDue: null });
  expect(emailsOf('payment_recovered', first!.id)).toHaveLength(1);

  // The renewal is invoiced again on the same terms.
  await t.env.sleep(start + PERIOD - (await t.now()) + 3 * HOUR);
  const renewal = invoicesOf(org).at(-1)!;
  expect(renewal).toMatchObject({ amount: 500_000, status: 'open', attempts: 0 });
  expect((await t.state(org)).invoiceDue).toMatchObject({ invoiceId: renewal.id });
});

test('a net-14 contract left unpaid: the overdue notice, the final notice, then canceled at the end of grace and back on free', async () => {
  const org = newOrg();
  await assign(org, { contract: NET_14 });
  const [first] = invoicesOf(org);
  await t.env.sleep(first!.dueAt! + 11 * DAY - (await t.now()));
  const ended = await t.state(org);
  expect(ended).toMatchObject({ status: 'canceled', plan: 'free' });
  expect(ended.endedAt! - (first!.dueAt! + 10 * DAY)).toBeGreaterThanOrEqual(0);
  expect(ended.endedAt! - (first!.dueAt! + 10 * DAY)).toBeLessThan(60_000);
  expect(t.fake.invoices.get(first!.id)!.status).toBe('uncollectible');
  const kinds = t.fake.notifications.filter((n) => n.organizationId === org).map((n) => n.kind);
  expect(kinds).toEqual(['invoice_payment_due', 'invoice_payment_due', 'final_notice', 'subscription_canceled']);
});

test('a contract collected by card is charged like a renewal; refused contracts and a second assignment change nothing', async () => {
  const org = newOrg();
  const bad = (contract: unknown) => failureType(assign(org, { contract: contract as Contract }));
  expect(await bad({ ...NET_14, amount: 0 })).toBe('InvalidRequest');
  expect(await bad({ ...NET_14, limits: { seats: 5 } })).toBe('InvalidRequest');
  expect(await bad({ ...NET_14, limits: { users: -2 } })).toBe('InvalidRequest');
  expect(await bad({ ...NET_14, collection: { method: 'send_invoice', daysUntilDue: 365 } })).toBe('InvalidRequest');
  expect(t.fake.onlySubscriptionOf(org)).toEqual([]);

  // A card on the customer first (the operator collected it), then a yearly contract charged to it.
  const setup = await t.handle(org).executeUpdate(createSetupIntentUpdate, { args: [] });
  expect(setup.clientSecret).toEqual(expect.any(String));
  const customer = [...t.fake.customers.entries()].find(([, c]) => c.organizationId === org)![0];
  t.fake.customers.get(customer)!.defaultPaymentMethod = 'pm_ok';
  const yearly: Contract = {
    ...NET_14,
    interval: 'year',
    amount: 4_800_000,
    collection: { method: 'charge_automatically' },
  };
  const view = await assign(org, { contract: yearly });
  expect(view).toMatchObject({ status: 'active', plan: 'enterprise', contract: yearly, invoiceDue: null });
  expect(invoicesOf(org).map((i) => [i.amount, i.status, i.attempts])).toEqual([[4_800_000, 'paid', 1]]);
  expect(await failureType(assign(org, { contract: NET_14 }))).toBe('PlanChangeNotAllowed');
});

test('a live monthly subscription moves onto a net-14 contract: the contract on the same customer, the old subscription canceled after it, its events no longer heard', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok', skipTrial: true });
  const [old] = t.fake.onlySubscriptionOf(org);
  await t.env.sleep(10 * DAY);
  // The old run's own contract: another currency is refused with the reason, nothing asked of Stripe.
  expect(await failureType(assign(org, { contract: { ...NET_14, currency: 'eur' } }))).toBe('PlanChangeNotAllowed');
  const view = await assign(org, { contract: NET_14 });
  expect(view).toMatchObject({ status: 'active', plan: 'enterprise', unitAmount: 500_000, contract: NET_14 });
  const subs = t.fake.onlySubscriptionOf(org);
  expect(subs).toHaveLength(2);
  const contractSub = subs.find((s) => s.id !== old!.id)!;
  expect(contractSub.customerId).toBe(old!.customerId);
  expect(old!.status).toBe('canceled');
  expect(view.stripeSubscriptionId).toBe(contractSub.id);
  const order = t.fake.calls
    .filter((c) => ['createContractSubscription', 'cancelSubscription'].includes(c.name))
    .map((c) => c.name);
  expect(order.slice(-2)).toEqual(['createContractSubscription', 'cancelSubscription']);
  expect(view.invoiceDue).toMatchObject({ amountDue: 500_000 });

  // The old subscription's deletion webhook arrives: it is not this subscription's any more.
  await t.handle(org).signal(stripeEventSignal, {
    eventId: `evt_deleted_${old!.id}`,
    type: 'customer.subscription.deleted',
    objectId: old!.id,
    created: Math.floor((await t.now()) / 1000),
  });
  const [first] = [...t.fake.invoices.values()].filter((i) => i.subscriptionId === contractSub.id);
  expect(view.invoiceDue?.invoiceId).toBe(first!.id);
  t.fake.payOutOfBand(first!.id);
  await paidEvent(org, first!.id);
  await t.env.sleep(1_000);
  expect(await t.state(org)).toMatchObject({ status: 'active', plan: 'enterprise', invoiceDue: null });
  expect(await failureType(assign(org, { contract: NET_14 }))).toBe('PlanChangeNotAllowed');
});

test('Stripe’s invoice.overdue ahead of the workflow’s due date starts the overdue notice and grace at once', async () => {
  const org = newOrg();
  await assign(org, { contract: NET_14 });
  const [first] = invoicesOf(org);
  const sent = await t.now();
  await t.handle(org).signal(stripeEventSignal, {
    eventId: `evt_overdue_${first!.id}`,
    type: 'invoice.overdue',
    objectId: first!.id,
    created: Math.floor(sent / 1000),
  });
  const overdue = await t.state(org);
  expect(overdue).toMatchObject({ status: 'past_due', plan: 'enterprise' });
  expect(emailsOf('invoice_payment_due', first!.id).map((n) => n.data.overdue)).toEqual([true]);
  // Grace as in dunning, counted from the event, not from the due date 14 days away.
  await t.env.sleep(11 * DAY);
  const ended = await t.state(org);
  expect(ended).toMatchObject({ status: 'canceled', plan: 'free' });
  expect(ended.endedAt!).toBeLessThan(first!.dueAt!);
});
