import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  cancelUpdate,
  changePlanUpdate,
  resumeUpdate,
  stripeEventSignal,
  stripeEventsSignal,
} from '../../src/workflows/messages';
import { DEFAULT_BILLING_POLICY } from '../../src/domain/billing-policy';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { DAY, PERIOD } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('lifecycle');
});
afterAll(async () => {
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-life-${++orgSeq}-${Date.now().toString(36)}`;

async function failureType(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

test('a trial converts to active and renews twelve times over a year', async () => {
  const org = newOrg();
  const started = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok' });
  expect(started).toMatchObject({ status: 'trialing', plan: 'starter', cancelAtPeriodEnd: false });
  const trialEnd = started.trialEnd!;
  expect(trialEnd - (await t.now())).toBeLessThanOrEqual(14 * DAY);

  await t.env.sleep(10 * DAY);
  expect(t.fake.notifications.filter((n) => n.organizationId === org && n.kind === 'trial_ending')).toHaveLength(0);
  await t.env.sleep(2 * DAY);
  expect(t.fake.notifications.filter((n) => n.organizationId === org && n.kind === 'trial_ending')).toHaveLength(1);

  await t.env.sleep(2 * DAY + 3 * 3_600_000);
  expect(await t.state(org)).toMatchObject({
    status: 'active',
    plan: 'starter',
    currentPeriodStart: trialEnd,
    currentPeriodEnd: trialEnd + PERIOD,
  });

  for (let month = 1; month <= 12; month++) await t.env.sleep(PERIOD);
  const state = await t.state(org);
  expect(state).toMatchObject({
    status: 'active',
    plan: 'starter',
    currentPeriodEnd: trialEnd + 13 * PERIOD,
    dunning: null,
  });
  const [sub] = t.fake.onlySubscriptionOf(org);
  const paid = [...t.fake.invoices.values()].filter((i) => i.subscriptionId === sub!.id && i.status === 'paid');
  expect(paid).toHaveLength(13);
  // On unchanged code a run spans periods and continues as new once its history reaches the policy's limit
  // (test/workflow/rollover.test.ts), so a year's history stays bounded.
  const { historyLength } = await t.handle(org).describe();
  expect(historyLength).toBeLessThanOrEqual(DEFAULT_BILLING_POLICY.runHistoryLimit + 50);
  const versions = t.fake.projections.filter((p) => p.organizationId === org).map((p) => p.stateVersion);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
});

test('an upgrade mid-period applies at once, a downgrade waits for the renewal', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(start.status).toBe('active');
  await t.env.sleep(10 * DAY);

  const up = await t.handle(org).executeUpdate(changePlanUpdate, { args: [{ plan: 'professional' }] });
  expect(up).toMatchObject({ change: 'upgraded', subscription: { plan: 'professional', pendingPlan: null } });
  expect(t.fake.onlySubscriptionOf(org)[0]!.plan).toBe('professional');

  const down = await t.handle(org).executeUpdate(changePlanUpdate, { args: [{ plan: 'starter' }] });
  expect(down).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: { plan: 'professional', pendingPlan: 'starter' },
  });

  await t.env.sleep(20 * DAY + 3 * 3_600_000);
  expect(await t.state(org)).toMatchObject({
    plan: 'starter',
    pendingPlan: null,
    unitAmount: 2900,
    currentPeriodEnd: start.currentPeriodEnd! + PERIOD,
  });
  const latest = t.fake.invoices.get(t.fake.onlySubscriptionOf(org)[0]!.latestInvoiceId!)!;
  expect(latest).toMatchObject({ amount: 2900, status: 'paid' });
});

test('illegal requests are rejected with typed reasons and change nothing', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const h = t.handle(org);
  expect(await failureType(h.executeUpdate(changePlanUpdate, { args: [{ plan: 'starter' }] }))).toBe('SamePlan');
  expect(await failureType(h.executeUpdate(changePlanUpdate, { args: [{ plan: 'enterprise' }] }))).toBe(
    'EnterpriseNotSelfServe',
  );
  expect(await failureType(h.executeUpdate(resumeUpdate, { args: [] }))).toBe('NothingToResume');
  expect(await failureType(t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok' }))).toBe(
    'AlreadySubscribed',
  );
  expect(await t.state(org)).toMatchObject({ plan: 'starter', pendingPlan: null, cancelAtPeriodEnd: false });
});

test('a cancel at period end can be resumed and the subscription then renews', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const h = t.handle(org);
  expect(await h.executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: true }] })).toMatchObject({
    cancelAtPeriodEnd: true,
    status: 'active',
  });
  expect(await failureType(h.executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: true }] }))).toBe('AlreadyCanceling');
  await t.env.sleep(20 * DAY);
  expect(await h.executeUpdate(resumeUpdate, { args: [] })).toMatchObject({ cancelAtPeriodEnd: false });
  await t.env.sleep(10 * DAY + 3 * 3_600_000);
  expect(await t.state(org)).toMatchObject({
    status: 'active',
    plan: 'starter',
    currentPeriodEnd: start.currentPeriodEnd! + PERIOD,
  });
});

test('a cancel at period end ends the subscription at the period end and falls back to free', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok', skipTrial: true });
  await t.handle(org).executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: true }] });
  const final = await t.handle(org).result();
  expect(final).toMatchObject({ status: 'canceled', plan: 'free', endedAt: start.currentPeriodEnd });
  expect(
    t.fake.notifications.filter((n) => n.organizationId === org && n.kind === 'subscription_canceled'),
  ).toHaveLength(1);
  expect(t.fake.projections.filter((p) => p.organizationId === org).at(-1)).toMatchObject({
    status: 'canceled',
    plan: 'free',
    endedAt: start.currentPeriodEnd,
  });
});

test('an immediate cancel ends the subscription now and the run completes', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  await t.env.sleep(5 * DAY);
  const now = await t.now();
  const view = await t.handle(org).executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: false }] });
  expect(view).toMatchObject({ status: 'canceled', plan: 'free' });
  expect(view.endedAt! - now).toBeLessThan(60_000);
  expect(await t.handle(org).result()).toMatchObject({ status: 'canceled' });
});

test('a trial without a payment method is not silently activated', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter' });
  expect(start.status).toBe('trialing');
  const final = await t.handle(org).result();
  expect(final).toMatchObject({ status: 'canceled', plan: 'free', endedAt: start.trialEnd });
  expect(t.fake.notifications.filter((n) => n.organizationId === org).map((n) => n.kind)).toEqual([
    'trial_ending',
    'trial_ended_without_payment_method',
  ]);
});

test('concurrent subscribe calls create exactly one subscription', async () => {
  const org = newOrg();
  const results = await Promise.allSettled([
    t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok' }, { updateId: `${org}-tab-1` }),
    t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok' }, { updateId: `${org}-tab-2` }),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect(((rejected.reason as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('AlreadySubscribed');
  expect(t.fake.onlySubscriptionOf(org)).toHaveLength(1);

  const again = await t
    .subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok' }, { updateId: `${org}-tab-1` })
    .catch(() => null);
  const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
    stripeSubscriptionId: string;
  }>;
  if (winner.value && again) expect(again.stripeSubscriptionId).toBe(winner.value.stripeSubscriptionId);
  expect(t.fake.onlySubscriptionOf(org)).toHaveLength(1);
});

/** A paid starter subscription whose first period has just ended (Stripe renews it; no webhook has been signalled yet). */
async function justPastFirstPeriodEnd() {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const h = t.handle(org);
  const fetches = () =>
    t.fake.calls.filter((c) => c.name === 'fetchSubscription' && c.args === start.stripeSubscriptionId).length;
  await t.env.sleep(PERIOD - ((await t.now()) - start.currentPeriodStart!) + 60_000);
  return { org, start, h, fetches, before: fetches(), created: Math.floor((await t.now()) / 1000) };
}

test('duplicate and out-of-order webhook signals cause one re-fetch per new event and one renewal', async () => {
  const { org, start, h, fetches, before, created } = await justPastFirstPeriodEnd();
  const updated = {
    eventId: `${org}-evt-upd`,
    type: 'customer.subscription.updated',
    objectId: start.stripeSubscriptionId!,
    created,
  };
  const paid = { eventId: `${org}-evt-paid`, type: 'invoice.paid', objectId: 'in_whatever', created: created + 1 };
  for (const event of [paid, paid, updated, paid, updated]) await h.signal(stripeEventSignal, event);
  await t.env.sleep(60_000);

  expect(fetches() - before).toBeGreaterThanOrEqual(1);
  expect(fetches() - before).toBeLessThanOrEqual(2);
  const state = await t.state(org);
  expect(state).toMatchObject({ status: 'active', currentPeriodEnd: start.currentPeriodEnd! + PERIOD });

  for (const event of [paid, updated]) await h.signal(stripeEventSignal, event);
  await t.env.sleep(60_000);
  const after = await t.state(org);
  expect(after.stateVersion).toBe(state.stateVersion);
  expect(after.currentPeriodEnd).toBe(start.currentPeriodEnd! + PERIOD);
});

test("a renewal's events in one stripeEvents signal cost one re-fetch; redundant events publish nothing, a reconciliation republishes", async () => {
  const { org, start, h, fetches, before, created } = await justPastFirstPeriodEnd();
  const batch = ['invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'customer.subscription.updated'].map(
    (type, i) => ({
      eventId: `${org}-evt-batch-${i}`,
      type,
      objectId: type.startsWith('customer.') ? start.stripeSubscriptionId! : 'in_renewal',
      created: created + i,
    }),
  );
  await h.signal(stripeEventsSignal, [...batch, batch[1]!]);
  await t.env.sleep(60_000);
  expect(fetches() - before).toBe(1);
  const state = await t.state(org);
  expect(state).toMatchObject({ status: 'active', currentPeriodEnd: start.currentPeriodEnd! + PERIOD });

  await h.signal(stripeEventsSignal, batch);
  await h.signal(stripeEventSignal, batch[0]!);
  await t.env.sleep(60_000);
  expect(fetches() - before).toBe(1);
  expect((await t.state(org)).stateVersion).toBe(state.stateVersion);

  // A new but redundant event re-fetches; Stripe says nothing new, so nothing is published again ...
  const projections = () => t.fake.projections.filter((p) => p.organizationId === org).length;
  const published = projections();
  await h.signal(stripeEventSignal, {
    eventId: `${org}-evt-late`,
    type: 'invoice.paid',
    objectId: 'in_renewal',
    created: created + 9,
  });
  await t.env.sleep(60_000);
  expect(fetches() - before).toBe(2);
  expect(projections()).toBe(published);
  // ... unless the reconciliation says the read model drifted: then the same state is projected again.
  await h.signal(stripeEventSignal, {
    eventId: `reconcile:run1:${start.stripeSubscriptionId}`,
    type: 'customer.subscription.updated',
    objectId: start.stripeSubscriptionId!,
    created: created + 10,
  });
  await t.env.sleep(60_000);
  expect(projections()).toBe(published + 1);
  expect(t.fake.projections.at(-1)).toMatchObject({
    organizationId: org,
    status: 'active',
    currentPeriodEnd: start.currentPeriodEnd! + PERIOD,
  });
});

test("Stripe's trial_will_end sends the trial reminder at once, and the workflow's own timer does not send a second", async () => {
  const org = newOrg();
  const started = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok' });
  const reminders = () => t.fake.notifications.filter((n) => n.organizationId === org && n.kind === 'trial_ending');
  const event = {
    eventId: `${org}-evt-twe`,
    type: 'customer.subscription.trial_will_end',
    objectId: started.stripeSubscriptionId!,
    created: Math.floor((await t.now()) / 1000),
  };
  await t.handle(org).signal(stripeEventSignal, event);
  await t.env.sleep(60_000);
  expect(reminders()).toHaveLength(1);
  expect(reminders()[0]?.data).toMatchObject({
    plan: 'starter',
    trialEndsAt: new Date(started.trialEnd!).toISOString(),
  });

  await t.env.sleep(12 * DAY);
  expect(reminders()).toHaveLength(1);
});
