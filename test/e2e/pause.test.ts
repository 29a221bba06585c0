import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import {
  assertAcceptedByStripeMock,
  startStripeMock,
  type StripeMock,
} from '../../tools/stripe-sim/test/stripe-mock-contract';
import { advanceClock, apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
let stack: Stack;
let mock: StripeMock;

beforeAll(async () => {
  stack = await startStack();
  mock = await startStripeMock();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
  await mock?.stop();
});

interface SubView {
  plan: string;
  status: string;
  currentPeriodEnd: string;
  dunningAttempt: number;
  pause: { behavior: string; resumesAt: string | null } | null;
}
type State = { subscription: SubView | null; effectivePlan: string };
type Entitlements = { plan: string; metrics: { metric: string; limit: number | null }[] };

async function stripeSubscriptionOf(org: string): Promise<Stripe.Subscription> {
  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  const [sub] = (await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id, limit: 1 })).data;
  if (!sub) throw new Error(`no subscription for ${org}`);
  return sub;
}

const renewals = async (org: string) =>
  (await stack.stripe.invoices.list({ subscription: (await stripeSubscriptionOf(org)).id, limit: 10 })).data
    .filter((i) => i.billing_reason === 'subscription_cycle')
    .map((i) => i.status);

async function subscribed(tag: string, body: Record<string, unknown> = {}) {
  const org = `org_${tag}_${randomUUID().slice(0, 8)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const created = await call<State>(
    'POST',
    '/subscription',
    { planId: 'professional', paymentMethodId: 'pm_card_visa', skipTrial: true, ...body },
    { 'idempotency-key': `subscribe-${org}` },
  );
  expect(created.status).toBe(201);
  return { org, call, sub: created.body.subscription! };
}

test('a pause without access: free limits at once, the renewal voided on Stripe and never dunned; resuming restores the plan and the next renewal is paid', async () => {
  const { org, call, sub } = await subscribed('pause_off');
  const paused = await call<State>(
    'POST',
    '/subscription/pause',
    { behavior: 'no_access' },
    { 'idempotency-key': `p-${org}` },
  );
  expect(paused.status).toBe(200);
  expect(paused.body).toMatchObject({
    effectivePlan: 'free',
    subscription: { status: 'paused', plan: 'professional', pause: { behavior: 'no_access', resumesAt: null } },
  });
  expect((await stripeSubscriptionOf(org)).pause_collection).toMatchObject({ behavior: 'void' });
  const entitlements = await call<Entitlements>('GET', '/entitlements');
  expect(entitlements.body.plan).toBe('free');

  await advanceClock(stack, org, Date.parse(sub.currentPeriodEnd) + DAY);
  await eventually('the paused renewal', async () => ((await renewals(org)).length === 1 ? true : undefined));
  expect(await renewals(org)).toEqual(['void']);
  const during = await eventually('the renewal observed', async () => {
    const s = (await call<State>('GET', '/subscription')).body.subscription;
    return s && s.currentPeriodEnd !== sub.currentPeriodEnd ? s : undefined;
  });
  expect(during).toMatchObject({ status: 'paused', dunningAttempt: 0 });

  const resumed = await call<State>('DELETE', '/subscription/pause', undefined, { 'idempotency-key': `u-${org}` });
  expect(resumed.body).toMatchObject({
    effectivePlan: 'professional',
    subscription: { status: 'active', pause: null },
  });
  expect((await stripeSubscriptionOf(org)).pause_collection).toBeNull();
  await advanceClock(stack, org, Date.parse(during.currentPeriodEnd) + DAY);
  await eventually('the next renewal, collected', async () => {
    const statuses = await renewals(org);
    return statuses.length === 2 ? statuses : undefined;
  }).then((statuses) => expect(statuses).toEqual(['paid', 'void']));
});

test('a pause with access until a date: the plan’s limits stay, and the workflow’s timer resumes billing on the date', async () => {
  const { org, call } = await subscribed('pause_until');
  const resumesAt = new Date(Date.now() + 6_000).toISOString();
  const paused = await call<State>(
    'POST',
    '/subscription/pause',
    { behavior: 'keep_access', resumesAt },
    { 'idempotency-key': `p-${org}` },
  );
  expect(paused.body).toMatchObject({
    effectivePlan: 'professional',
    subscription: { status: 'paused', pause: { behavior: 'keep_access', resumesAt } },
  });
  const stripePause = (await stripeSubscriptionOf(org)).pause_collection;
  expect(stripePause).toEqual({ behavior: 'mark_uncollectible', resumes_at: null });
  expect((await call<Entitlements>('GET', '/entitlements')).body.plan).toBe('professional');

  const after = await eventually(
    'the timer’s resume',
    async () => {
      const s = (await call<State>('GET', '/subscription')).body.subscription;
      return s?.status === 'active' ? s : undefined;
    },
    40_000,
  );
  expect(after.pause).toBeNull();
  expect((await stripeSubscriptionOf(org)).pause_collection).toBeNull();
});

test('a pause set in the Stripe Dashboard is read as a pause (not a cancel), and cleared there, as active again', async () => {
  const { org, call } = await subscribed('pause_dash', { planId: 'starter' });
  const id = (await stripeSubscriptionOf(org)).id;
  await stack.stripe.subscriptions.update(id, { pause_collection: { behavior: 'keep_as_draft' } });
  const paused = await eventually('the Dashboard pause', async () => {
    const s = (await call<State>('GET', '/subscription')).body;
    return s.subscription?.status === 'paused' ? s : undefined;
  });
  expect(paused).toMatchObject({ effectivePlan: 'starter', subscription: { pause: { behavior: 'keep_access' } } });
  await stack.stripe.subscriptions.update(id, { pause_collection: '' });
  await eventually('the Dashboard resume', async () => {
    const s = (await call<State>('GET', '/subscription')).body.subscription;
    return s?.status === 'active' && s.pause === null ? s : undefined;
  });
});

test('refused with the envelope’s codes: dates in the past or more than a year out, a trial, a second pause, resuming what is not paused', async () => {
  const { org, call } = await subscribed('pause_bad', { planId: 'starter' });
  const at = (ms: number) => new Date(Date.now() + ms).toISOString();
  for (const resumesAt of [at(-DAY), at(400 * DAY), 'next tuesday']) {
    const bad = await call('POST', '/subscription/pause', { behavior: 'no_access', resumesAt });
    expect(bad.status).toBe(422);
    expect(bad.body.error?.code).toBe('VALIDATION_FAILED');
  }
  expect((await call('POST', '/subscription/pause', { behavior: 'sometimes' })).status).toBe(422);
  const notPaused = await call('DELETE', '/subscription/pause', undefined, { 'idempotency-key': `u-${org}` });
  expect(notPaused.status).toBe(409);
  expect(notPaused.body.error?.details?.reason).toBe('NotPaused');

  await call('POST', '/subscription/pause', { behavior: 'no_access' }, { 'idempotency-key': `p1-${org}` });
  const twice = await call(
    'POST',
    '/subscription/pause',
    { behavior: 'keep_access' },
    { 'idempotency-key': `p2-${org}` },
  );
  expect(twice.status).toBe(409);
  expect(twice.body.error?.details?.reason).toBe('AlreadyPaused');
  expect((await stripeSubscriptionOf(org)).pause_collection).toMatchObject({ behavior: 'void' });

  const trial = await subscribed('pause_trial', { planId: 'starter', skipTrial: false });
  const trialing = await trial.call('POST', '/subscription/pause', { behavior: 'no_access' });
  expect(trialing.status).toBe(409);
  expect(trialing.body.error?.details?.reason).toBe('PlanChangeNotAllowed');

  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});
