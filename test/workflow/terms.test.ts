import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  cancelUpdate,
  changePlanUpdate,
  resumeUpdate,
  stripeEventSignal,
  type ChangePlanArgs,
} from '../../src/workflows/messages';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { AUTH_CARD, DAY, PERIOD, YEAR } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('terms');
});
afterAll(async () => {
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-terms-${++orgSeq}-${Date.now().toString(36)}`;
const HOURS_3 = 3 * 3_600_000;

const change = (org: string, args: ChangePlanArgs) => t.handle(org).executeUpdate(changePlanUpdate, { args: [args] });
const callsOf = (org: string, name: string) => {
  const [sub] = t.fake.onlySubscriptionOf(org);
  return t.fake.calls.filter(
    (c) => c.name === name && (c.args as { subscriptionId?: string }).subscriptionId === sub!.id,
  );
};
const invoicesOf = (org: string) => {
  const [sub] = t.fake.onlySubscriptionOf(org);
  return [...t.fake.invoices.values()].filter((i) => i.subscriptionId === sub!.id);
};

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

test('a year on yearly billing: one charge of ten months up front, one renewal a year later', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, {
    plan: 'starter',
    interval: 'year',
    paymentMethodId: 'pm_ok',
    skipTrial: true,
  });
  expect(start).toMatchObject({ status: 'active', interval: 'year', seats: 0 });
  expect(start.currentPeriodEnd! - start.currentPeriodStart!).toBe(YEAR);
  expect(invoicesOf(org).map((i) => i.amount)).toEqual([29_000]);

  for (let month = 1; month <= 11; month++) await t.env.sleep(PERIOD);
  expect(invoicesOf(org)).toHaveLength(1);
  await t.env.sleep(YEAR - 11 * PERIOD + HOURS_3);
  expect(await t.state(org)).toMatchObject({
    status: 'active',
    interval: 'year',
    currentPeriodEnd: start.currentPeriodEnd! + YEAR,
  });
  expect(invoicesOf(org).map((i) => [i.amount, i.status])).toEqual([
    [29_000, 'paid'],
    [29_000, 'paid'],
  ]);
});

test('monthly → yearly applies now: prorated through the upgrade path, the billing cycle restarts on the year', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok', skipTrial: true });
  await t.env.sleep(10 * DAY);
  const now = await t.now();
  const result = await change(org, { interval: 'year' });
  expect(result).toMatchObject({ change: 'upgraded', subscription: { interval: 'year', scheduledChange: null } });
  expect(result.subscription.currentPeriodEnd! - result.subscription.currentPeriodStart!).toBe(YEAR);
  expect(result.subscription.currentPeriodStart).toBeGreaterThanOrEqual(now);
  const [call] = callsOf(org, 'changePlan').slice(-1);
  expect(call!.args).toMatchObject({ plan: 'professional', mode: 'upgrade', terms: { interval: 'year' } });
});

test('yearly → monthly waits for the end of the term on a schedule, resume releases it, and the renewal is monthly', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, {
    plan: 'starter',
    interval: 'year',
    paymentMethodId: 'pm_ok',
    skipTrial: true,
  });
  await t.env.sleep(100 * DAY);
  const scheduled = await change(org, { interval: 'month' });
  expect(scheduled).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: {
      interval: 'year',
      pendingPlan: null,
      scheduledChange: { plan: 'starter', interval: 'month', seats: 0, effectiveAt: start.currentPeriodEnd },
    },
  });
  expect(t.fake.onlySubscriptionOf(org)[0]!.schedule).toMatchObject({ terms: { interval: 'month' } });

  const resumed = await t.handle(org).executeUpdate(resumeUpdate, { args: [] });
  expect(resumed).toMatchObject({ interval: 'year', scheduledChange: null });
  expect(t.fake.onlySubscriptionOf(org)[0]!.schedule).toBeUndefined();
  expect(t.fake.onlySubscriptionOf(org)[0]!.terms.interval).toBe('year');

  await change(org, { interval: 'month' });
  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + HOURS_3);
  const after = await t.state(org);
  expect(after).toMatchObject({ interval: 'month', scheduledChange: null, currentPeriodStart: start.currentPeriodEnd });
  expect(after.currentPeriodEnd! - after.currentPeriodStart!).toBe(PERIOD);
  expect(invoicesOf(org).map((i) => i.amount)).toEqual([29_000, 2_900]);
});

test('seats: added now (the limit at once), removed at the renewal, and renewals bill the seats held', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', seats: 2, paymentMethodId: 'pm_ok', skipTrial: true });
  expect(start).toMatchObject({ seats: 2 });
  expect(invoicesOf(org).map((i) => i.amount)).toEqual([2_900 + 2 * 800]);

  await t.env.sleep(5 * DAY);
  expect(await change(org, { seats: 5 })).toMatchObject({ change: 'upgraded', subscription: { seats: 5 } });
  expect(t.fake.onlySubscriptionOf(org)[0]!.terms.seats).toBe(5);

  const down = await change(org, { seats: 1 });
  expect(down).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: { seats: 5, scheduledChange: { seats: 1 } },
  });
  // A further decrease stacks onto the scheduled one; an increase must wait for resume.
  expect(await change(org, { addOns: { agents_5: 0 }, seats: 0 })).toMatchObject({
    subscription: { seats: 5, scheduledChange: { seats: 0 } },
  });
  expect(await failureType(change(org, { seats: 6 }))).toBe('PendingChangeExists');
  expect(await failureType(t.handle(org).executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: true }] }))).toBe(
    'PendingChangeExists',
  );

  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + HOURS_3);
  expect(await t.state(org)).toMatchObject({ seats: 0, scheduledChange: null });
  await t.env.sleep(PERIOD);
  expect(invoicesOf(org).map((i) => i.amount)).toEqual([4_500, 2_900, 2_900]);
});

test('add-on packs: bought now, removed at the renewal, billed per pack and interval', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok', skipTrial: true });
  expect(await change(org, { addOns: { agents_5: 2, storage_10gb: 1 } })).toMatchObject({
    change: 'upgraded',
    subscription: { addOns: { agents_5: 2, storage_10gb: 1 } },
  });
  expect(await change(org, { addOns: { agents_5: 0 } })).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: { addOns: { agents_5: 2, storage_10gb: 1 }, scheduledChange: { addOns: { storage_10gb: 1 } } },
  });
  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + HOURS_3);
  expect(await t.state(org)).toMatchObject({ addOns: { storage_10gb: 1 }, scheduledChange: null });
  expect(invoicesOf(org).at(-1)!.amount).toBe(9_900 + 900);
});

test('a plan downgrade goes through the schedule too, and an undo leaves Stripe untouched', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'professional', seats: 1, paymentMethodId: 'pm_ok', skipTrial: true });
  const before = callsOf(org, 'changePlan').length;
  expect(await change(org, { plan: 'starter' })).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: { plan: 'professional', pendingPlan: 'starter', scheduledChange: { plan: 'starter', seats: 1 } },
  });
  expect(t.fake.onlySubscriptionOf(org)[0]!.plan).toBe('professional');
  await t.handle(org).executeUpdate(resumeUpdate, { args: [] });
  expect(callsOf(org, 'changePlan')).toHaveLength(before);
  expect(callsOf(org, 'releaseSchedule')).toHaveLength(1);
  expect(t.fake.onlySubscriptionOf(org)[0]).toMatchObject({ plan: 'professional', terms: { seats: 1 } });
  expect(await t.state(org)).toMatchObject({ plan: 'professional', pendingPlan: null, scheduledChange: null });
});

test('seats bought with a card that needs 3-D Secure wait for the customer, like an upgrade, then apply', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const [sub] = t.fake.onlySubscriptionOf(org);
  t.fake.setCardBehaviour(sub!.id, AUTH_CARD);
  const held = await change(org, { seats: 2 });
  expect(held).toMatchObject({
    change: 'upgrade_requires_action',
    subscription: { seats: 0, pendingUpgradePlan: 'starter', paymentAction: { type: 'requires_action' } },
  });
  t.fake.authenticate(held.subscription.paymentAction!.invoiceId, 'succeed');
  await t.handle(org).signal(stripeEventSignal, {
    eventId: `evt_paid_${org}`,
    type: 'invoice.paid',
    objectId: held.subscription.paymentAction!.invoiceId,
    created: Math.floor((await t.now()) / 1000),
  });
  await t.env.sleep(1_000);
  expect(await t.state(org)).toMatchObject({ seats: 2, paymentAction: null, pendingUpgradePlan: null });
});

test('terms the plan does not sell, and requests that raise and lower at once, are refused and change nothing', async () => {
  const org = newOrg();
  expect(await failureType(t.subscribe(org, { plan: 'starter', seats: -1, paymentMethodId: 'pm_ok' }))).toBe(
    'InvalidRequest',
  );
  await t.subscribe(org, { plan: 'starter', seats: 2, paymentMethodId: 'pm_ok', skipTrial: true });
  for (const args of [
    { seats: 1.5 },
    { seats: 100_000 },
    { interval: 'week' },
    { addOns: { gpu_pack: 1 } },
    { addOns: { agents_5: -1 } },
  ] as ChangePlanArgs[])
    expect(await failureType(change(org, args))).toBe('InvalidRequest');
  expect(await failureType(change(org, { seats: 3, plan: 'free' }))).toBe('InvalidPlan');
  expect(await failureType(change(org, { seats: 2 }))).toBe('SamePlan');
  expect(await failureType(change(org, { plan: 'professional', seats: 1 }))).toBe('InvalidRequest');
  expect(await t.state(org)).toMatchObject({ plan: 'starter', seats: 2, scheduledChange: null });
  expect(callsOf(org, 'scheduleChange')).toHaveLength(0);
});
