import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  cancelUpdate,
  pauseUpdate,
  stripeEventSignal,
  unpauseUpdate,
  updatePaymentMethodUpdate,
  type PauseArgs,
} from '../../src/workflows/messages';
import { BillingStatus } from '../../src/workflows/search-attributes';
import { startBillingTestEnv, type BillingTestEnv } from './helpers/billing-env';
import { DAY, PERIOD } from './helpers/fake-stripe';

jest.setTimeout(120_000);

let t: BillingTestEnv;
beforeAll(async () => {
  t = await startBillingTestEnv('pause');
});
afterAll(async () => {
  await t?.teardown();
});

let orgSeq = 0;
const newOrg = () => `org-pause-${++orgSeq}-${Date.now().toString(36)}`;
const HOURS_3 = 3 * 3_600_000;

const pause = (org: string, args: PauseArgs) => t.handle(org).executeUpdate(pauseUpdate, { args: [args] });
const unpause = (org: string) => t.handle(org).executeUpdate(unpauseUpdate, { args: [] });
const subscriptionOf = (org: string) => t.fake.onlySubscriptionOf(org)[0]!;
const invoicesOf = (org: string) =>
  [...t.fake.invoices.values()].filter((i) => i.subscriptionId === subscriptionOf(org).id);
const callsOf = (org: string, name: string) =>
  t.fake.calls.filter(
    (c) => c.name === name && (c.args as { subscriptionId?: string }).subscriptionId === subscriptionOf(org).id,
  );
const statusAttribute = async (org: string) =>
  (await t.handle(org).describe()).typedSearchAttributes.get(BillingStatus);

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

test('a pause without a date: no access, the renewal voided and never dunned, unpause collects again from the next renewal', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  await t.env.sleep(5 * DAY);
  const paused = await pause(org, { behavior: 'no_access' });
  expect(paused).toMatchObject({ status: 'paused', pause: { behavior: 'no_access', resumesAt: null } });
  expect(callsOf(org, 'pauseCollection').map((c) => c.args)).toEqual([
    { subscriptionId: subscriptionOf(org).id, behavior: 'void' },
  ]);
  expect(await statusAttribute(org)).toBe('paused');
  expect(t.fake.projections.at(-1)).toMatchObject({ status: 'paused', pause: { behavior: 'no_access' } });

  // The renewal still happens in Stripe; its invoice is voided, never attempted, so no dunning and no email.
  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + HOURS_3);
  const renewed = await t.state(org);
  expect(renewed).toMatchObject({ status: 'paused', dunning: null, currentPeriodStart: start.currentPeriodEnd });
  expect(invoicesOf(org).map((i) => [i.amount, i.status, i.attempts])).toEqual([
    [2_900, 'paid', 1],
    [2_900, 'void', 0],
  ]);
  expect(t.fake.notifications.filter((n) => n.kind === 'payment_failed')).toEqual([]);

  await t.env.sleep(10 * DAY);
  const resumed = await unpause(org);
  expect(resumed).toMatchObject({ status: 'active', pause: null });
  expect(subscriptionOf(org).pauseCollection).toBeUndefined();
  expect(await statusAttribute(org)).toBe('active');
  await t.env.sleep(renewed.currentPeriodEnd! - (await t.now()) + HOURS_3);
  expect(invoicesOf(org).map((i) => i.status)).toEqual(['paid', 'void', 'paid']);
  expect(await t.state(org)).toMatchObject({ status: 'active', pause: null });
});

test('a pause until a date keeps access, marks the renewal uncollectible and ends on the workflow’s own timer', async () => {
  const org = newOrg();
  const start = await t.subscribe(org, { plan: 'professional', paymentMethodId: 'pm_ok', skipTrial: true });
  const resumesAt = start.currentPeriodEnd! + 10 * DAY;
  const paused = await pause(org, { behavior: 'keep_access', resumesAt });
  expect(paused).toMatchObject({ status: 'paused', pause: { behavior: 'keep_access', resumesAt } });
  expect(callsOf(org, 'pauseCollection').map((c) => (c.args as { behavior: string }).behavior)).toEqual([
    'mark_uncollectible',
  ]);

  await t.env.sleep(start.currentPeriodEnd! - (await t.now()) + HOURS_3);
  expect(await t.state(org)).toMatchObject({ status: 'paused', pause: { resumesAt } });
  expect(invoicesOf(org).map((i) => i.status)).toEqual(['paid', 'uncollectible']);
  expect(callsOf(org, 'resumeCollection')).toEqual([]);

  await t.env.sleep(resumesAt - (await t.now()) + 1_000);
  const [resume] = callsOf(org, 'resumeCollection');
  expect(resume!.at).toBeGreaterThanOrEqual(resumesAt);
  expect(resume!.at).toBeLessThan(resumesAt + 60_000);
  expect(await t.state(org)).toMatchObject({ status: 'active', pause: null });
  await t.env.sleep(PERIOD);
  expect(invoicesOf(org).map((i) => i.status)).toEqual(['paid', 'uncollectible', 'paid']);
});

test('a trial cannot be paused', async () => {
  const trial = newOrg();
  await t.subscribe(trial, { plan: 'starter', paymentMethodId: 'pm_ok' });
  expect(await failureType(pause(trial, { behavior: 'no_access' }))).toBe('PlanChangeNotAllowed');
  expect(await t.state(trial)).toMatchObject({ status: 'trialing', pause: null });
});

test('refused: dates in the past or more than a year out, an unknown behavior, a second pause, unpause while not paused', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const now = await t.now();
  expect(await failureType(pause(org, { behavior: 'no_access', resumesAt: now - DAY }))).toBe('InvalidRequest');
  expect(await failureType(pause(org, { behavior: 'no_access', resumesAt: now + 400 * DAY }))).toBe('InvalidRequest');
  expect(await failureType(pause(org, { behavior: 'sometimes' as never }))).toBe('InvalidRequest');
  expect(await failureType(unpause(org))).toBe('NotPaused');
  expect(callsOf(org, 'pauseCollection')).toEqual([]);

  await pause(org, { behavior: 'keep_access' });
  expect(await failureType(pause(org, { behavior: 'no_access' }))).toBe('AlreadyPaused');
  expect(callsOf(org, 'pauseCollection')).toHaveLength(1);

  // Canceling a paused subscription is allowed: it ends now.
  const canceled = await t.handle(org).executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: false }] });
  expect(canceled).toMatchObject({ status: 'canceled', plan: 'free', pause: null });
});

test('a pause made in the Dashboard is read as a pause, not a cancel', async () => {
  const org = newOrg();
  await t.subscribe(org, { plan: 'starter', paymentMethodId: 'pm_ok', skipTrial: true });
  const sub = subscriptionOf(org);
  t.fake.pauseInDashboard(sub.id, 'keep_as_draft');
  await t.handle(org).signal(stripeEventSignal, {
    eventId: `evt_dash_${org}`,
    type: 'customer.subscription.updated',
    objectId: sub.id,
    created: Math.floor((await t.now()) / 1000),
  });
  await t.env.sleep(1_000);
  expect(await t.state(org)).toMatchObject({ status: 'paused', pause: { behavior: 'keep_access', resumesAt: null } });
  expect(await unpause(org)).toMatchObject({ status: 'active', pause: null });
});

test('Stripe’s paused status after a trial without a card is a pause, not a cancel; unpause resumes it once a card is on file', async () => {
  const trial = newOrg();
  await t.subscribe(trial, { plan: 'starter' });
  await t.env.sleep(2 * DAY);
  const trialSub = subscriptionOf(trial);
  t.fake.pauseAtTrialEnd(trialSub.id);
  await t.handle(trial).signal(stripeEventSignal, {
    eventId: `evt_paused_${trial}`,
    type: 'customer.subscription.paused',
    objectId: trialSub.id,
    created: Math.floor((await t.now()) / 1000),
  });
  await t.env.sleep(1_000);
  expect(await t.state(trial)).toMatchObject({
    status: 'paused',
    plan: 'starter',
    endedAt: null,
    pause: { behavior: 'no_access', resumesAt: null },
  });
  // Nothing runs in Stripe while it is paused: no backstop syncs pile up over a month.
  const fetchesBefore = callsOf(trial, 'fetchSubscription').length;
  await t.env.sleep(30 * DAY);
  expect(callsOf(trial, 'fetchSubscription')).toHaveLength(fetchesBefore);

  await t.handle(trial).executeUpdate(updatePaymentMethodUpdate, { args: [{ paymentMethodId: 'pm_ok' }] });
  const resumed = await unpause(trial);
  expect(resumed).toMatchObject({ status: 'active', pause: null, plan: 'starter' });
  expect(invoicesOf(trial).map((i) => [i.amount, i.status])).toEqual([[2_900, 'paid']]);
});
