import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import {
  assertAcceptedByStripeMock,
  startStripeMock,
  type StripeMock,
} from '../../tools/stripe-sim/test/stripe-mock-contract';
import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { TEST_SERVICE_TOKEN, userToken } from '../helpers/tokens';

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
  interval: string;
  seats: number;
  addOns: Record<string, number>;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  pendingPlan: string | null;
  scheduledChange: { plan: string; interval: string; seats: number; effectiveAt: string } | null;
}
type Sub = { subscription: SubView | null; change?: string };
type Preview = {
  amountDueNow: number;
  nextRenewalAmount: number;
  effective: string;
  renewalAmounts: { month: number; year: number };
};

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

const latestInvoice = async (org: string, reason: string): Promise<Stripe.Invoice | undefined> => {
  const sub = await stripeSubscriptionOf(org);
  return (await stack.stripe.invoices.list({ subscription: sub.id, limit: 10 })).data.find(
    (i) => i.billing_reason === reason,
  );
};

async function subscribed(tag: string, body: Record<string, unknown>) {
  const org = `org_${tag}_${randomUUID().slice(0, 8)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const created = await call<Sub>(
    'POST',
    '/subscription',
    { paymentMethodId: 'pm_card_visa', skipTrial: true, ...body },
    { 'idempotency-key': `subscribe-${org}` },
  );
  expect(created.status).toBe(201);
  return { org, call, sub: created.body.subscription! };
}

test('monthly → yearly: the preview shows both intervals, the charge equals it, the year starts now', async () => {
  const { org, call } = await subscribed('yearly', { planId: 'starter', seats: 1 });
  await advanceClock(stack, org, (await clockNow(stack, org)) + 9 * DAY);
  const preview = await call<Preview>('POST', '/subscription/preview', { interval: 'year' });
  expect(preview.status).toBe(200);
  expect(preview.body).toMatchObject({
    effective: 'now',
    renewalAmounts: { month: 2_900 + 800, year: 29_000 + 8_000 },
    nextRenewalAmount: 37_000,
  });
  const changed = await call<Sub>('PATCH', '/subscription', { interval: 'year' }, { 'idempotency-key': `y-${org}` });
  expect(changed.body).toMatchObject({ change: 'upgraded', subscription: { interval: 'year', seats: 1 } });
  const invoice = await latestInvoice(org, 'subscription_update');
  expect(invoice?.amount_paid).toBe(preview.body.amountDueNow);
  const view = changed.body.subscription!;
  expect(Date.parse(view.currentPeriodEnd) - Date.parse(view.currentPeriodStart)).toBeGreaterThanOrEqual(365 * DAY);
});

test('a downgrade with fewer seats waits for the boundary on a schedule: overage of the period at the old rate, the renewal at the new price, as previewed', async () => {
  const { org, call, sub } = await subscribed('boundary', { planId: 'professional', seats: 2 });
  const before = await stripeSubscriptionOf(org);
  const preview = await call<Preview>('POST', '/subscription/preview', { planId: 'starter', seats: 1 });
  expect(preview.body).toMatchObject({ effective: 'at_renewal', amountDueNow: 0, nextRenewalAmount: 2_900 + 800 });
  const down = await call<Sub>(
    'PATCH',
    '/subscription',
    { planId: 'starter', seats: 1 },
    { 'idempotency-key': `d-${org}` },
  );
  expect(down.body).toMatchObject({
    change: 'downgrade_scheduled',
    subscription: {
      plan: 'professional',
      seats: 2,
      pendingPlan: 'starter',
      scheduledChange: { plan: 'starter', seats: 1 },
    },
  });
  // Stripe still bills today's items; the schedule holds the next phase.
  const held = await stripeSubscriptionOf(org);
  expect(held.items.data.map((i) => [i.price.id, i.quantity])).toEqual(
    before.items.data.map((i) => [i.price.id, i.quantity]),
  );
  expect(held.schedule).toEqual(expect.any(String));

  // Overage reported for this period (as the usage reporter sends it) is billed at professional's rate.
  const customer = typeof held.customer === 'string' ? held.customer : held.customer.id;
  await stack.stripe.billing.meterEvents.create({
    event_name: 'billing_messages',
    identifier: `ovg-${org}`,
    payload: { stripe_customer_id: customer, value: '3' },
  });
  await advanceClock(stack, org, Date.parse(sub.currentPeriodEnd) + DAY);
  const renewed = await eventually('renewed on starter', async () => {
    const s = (await call<Sub>('GET', '/subscription')).body.subscription;
    return s?.plan === 'starter' ? s : undefined;
  });
  expect(renewed).toMatchObject({ seats: 1, pendingPlan: null, scheduledChange: null });
  const invoice = await latestInvoice(org, 'subscription_cycle');
  const licensed = invoice!.lines.data.filter((l) => (l.amount ?? 0) > 0 && l.quantity !== 3);
  expect(licensed.reduce((sum, l) => sum + l.amount, 0)).toBe(preview.body.nextRenewalAmount);
  const overage = invoice!.lines.data.find((l) => l.quantity === 3);
  expect(overage?.amount).toBe(3 * 150);
});

test('an undo before the boundary leaves Stripe untouched: the renewal is on the old terms', async () => {
  const { org, call, sub } = await subscribed('undo', { planId: 'starter', seats: 3 });
  const before = await stripeSubscriptionOf(org);
  await call('PATCH', '/subscription', { seats: 0 }, { 'idempotency-key': `s-${org}` });
  const resumed = await call<Sub>('POST', '/subscription/resume', undefined, { 'idempotency-key': `r-${org}` });
  expect(resumed.body.subscription).toMatchObject({ seats: 3, scheduledChange: null });
  const after = await stripeSubscriptionOf(org);
  expect(after.schedule).toBeNull();
  expect(after.items.data).toEqual(before.items.data);
  await advanceClock(stack, org, Date.parse(sub.currentPeriodEnd) + DAY);
  const invoice = await eventually('the renewal', () => latestInvoice(org, 'subscription_cycle'));
  expect(invoice.amount_due).toBe(2_900 + 3 * 800);
});

test('seats: added now as previewed, the limit at once; removing below the users in use is a 409 naming the numbers', async () => {
  const { org, call } = await subscribed('seats', { planId: 'starter' });
  await advanceClock(stack, org, (await clockNow(stack, org)) + 5 * DAY);
  const preview = await call<Preview>('POST', '/subscription/preview', { seats: 4 });
  const added = await call<Sub>('PATCH', '/subscription', { seats: 4 }, { 'idempotency-key': `a-${org}` });
  expect(added.body).toMatchObject({ change: 'upgraded', subscription: { seats: 4 } });
  expect((await latestInvoice(org, 'subscription_update'))?.amount_paid).toBe(preview.body.amountDueNow);
  const entitlements = await call<{ metrics: { metric: string; limit: number }[] }>('GET', '/entitlements');
  expect(entitlements.body.metrics.find((m) => m.metric === 'users')?.limit).toBe(3 + 4);

  const ingest = await fetch(`${stack.api.url}/api/v1/billing/usage/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [
        { id: `u-${org}`, organizationId: org, metric: 'users', quantity: 6, timestamp: new Date().toISOString() },
      ],
    }),
  });
  expect(ingest.status).toBe(200);
  const refused = await call<Sub>('PATCH', '/subscription', { seats: 1 }, { 'idempotency-key': `r-${org}` });
  expect(refused.status).toBe(409);
  expect(refused.body.error?.details).toMatchObject({ reason: 'SeatsInUse', usersInUse: 6, seatLimit: 4 });
  expect((await call<Sub>('GET', '/subscription')).body.subscription).toMatchObject({
    seats: 4,
    scheduledChange: null,
  });
});

test('add-on packs: bought now, listed, their limit in entitlements, removed at the renewal', async () => {
  const { org, call } = await subscribed('addons', { planId: 'professional' });
  const plans = await call<{ data: { id: string; addOns: { id: string }[] }[] }>('GET', '/plans');
  expect(plans.body.data.find((p) => p.id === 'professional')?.addOns.map((a) => a.id)).toEqual([
    'agents_5',
    'storage_10gb',
  ]);
  const bought = await call<Sub>(
    'POST',
    '/subscription/add-ons',
    { addOn: 'agents_5', quantity: 2 },
    { 'idempotency-key': `b-${org}` },
  );
  expect(bought.body).toMatchObject({ change: 'upgraded', subscription: { addOns: { agents_5: 2 } } });
  const entitlements = await call<{ metrics: { metric: string; limit: number }[] }>('GET', '/entitlements');
  expect(entitlements.body.metrics.find((m) => m.metric === 'agents')?.limit).toBe(25 + 10);
  const removed = await call<Sub>('DELETE', '/subscription/add-ons/agents_5', undefined, {
    'idempotency-key': `x-${org}`,
  });
  expect(removed.body).toMatchObject({ change: 'downgrade_scheduled', subscription: { addOns: { agents_5: 2 } } });
  expect((await call('DELETE', '/subscription/add-ons/gpu_pack')).status).toBe(422);

  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});
