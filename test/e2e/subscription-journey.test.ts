import { randomUUID } from 'node:crypto';
import {
  assertAcceptedByStripeMock,
  startStripeMock,
  type StripeMock,
} from '../../tools/stripe-sim/test/stripe-mock-contract';
import { advanceClock, apiClient, clockNow, customerOf, eventually, startStack, type Stack } from '../helpers/stack';
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

type Sub = {
  subscription: {
    plan: string;
    status: string;
    cancelAtPeriodEnd: boolean;
    currentPeriodEnd: string;
    pendingPlan: string | null;
  } | null;
  effectivePlan: string;
};
type Invoices = {
  data: {
    stripeInvoiceId: string;
    status: string;
    amountDue: number;
    amountPaid: number;
    billingReason: string;
    hostedInvoiceUrl: string;
  }[];
};

/** The read model converges to Stripe's plan status, cancel flag and period end (webhooks are asynchronous). */
async function expectReadModelMatchesStripe(org: string, call: ReturnType<typeof apiClient>): Promise<void> {
  const customer = await customerOf(stack, org);
  await eventually(
    `read model of ${org} to match Stripe`,
    async () => {
      const { body } = await call<Sub>('GET', '/subscription');
      const [stripeSub] = (await stack.stripe.subscriptions.list({ status: 'all', limit: 1, customer })).data;
      const stripeView = stripeSub && {
        status: stripeSub.status,
        cancelAtPeriodEnd: stripeSub.cancel_at_period_end,
        periodEnd: stripeSub.items.data[0]!.current_period_end * 1000,
      };
      const ours = body.subscription && {
        status: body.subscription.status,
        cancelAtPeriodEnd: body.subscription.cancelAtPeriodEnd,
        periodEnd: Date.parse(body.subscription.currentPeriodEnd),
      };
      return stripeView && JSON.stringify(ours) === JSON.stringify(stripeView) ? true : undefined;
    },
    15_000,
  );
}

test('the frontend journey: plans → trial → trial end → renewal → previewed upgrade → card update → cancel at period end → resume → end', async () => {
  const org = `org_journey_${randomUUID().slice(0, 8)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));

  const plans = await call<{ data: { id: string }[] }>('GET', '/plans');
  expect(plans.body.data.map((p) => p.id)).toContain('starter');

  // Subscribe with the plan's 14-day trial; two tabs with the same key get the same answer.
  const subscribe = () =>
    call<Sub>(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa' },
      { 'idempotency-key': `subscribe-${org}` },
    );
  // Either tab may reach the key first; the other gets the same 201 or 409 "still in progress".
  const answers = await Promise.all([subscribe(), subscribe()]);
  const first = answers.find((a) => a.status === 201);
  expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([201]));
  expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
  expect(first?.body.subscription).toMatchObject({ plan: 'starter', status: 'trialing' });
  await expectReadModelMatchesStripe(org, call);

  // Trial end: Stripe bills the first period; the workflow hears it through the signed webhook.
  const start = await clockNow(stack, org);
  await advanceClock(stack, org, start + 15 * DAY);
  await eventually('active after the trial', async () =>
    (await call<Sub>('GET', '/subscription')).body.subscription?.status === 'active' ? true : undefined,
  );
  await expectReadModelMatchesStripe(org, call);

  // One renewal.
  await advanceClock(stack, org, start + 15 * DAY + 31 * DAY);
  const paidCycles = await eventually('two paid renewal invoices mirrored', async () => {
    const inv = (await call<Invoices>('GET', '/invoices')).body.data.filter(
      (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid',
    );
    return inv.length >= 2 ? inv : undefined;
  });
  expect(paidCycles.every((i) => i.amountPaid === 2900 && i.hostedInvoiceUrl)).toBe(true);
  await expectReadModelMatchesStripe(org, call);

  // Mid-period upgrade: preview, then confirm; the charge equals the preview.
  await advanceClock(stack, org, (await clockNow(stack, org)) + 10 * DAY);
  const preview = await call<{ amountDueNow: number; prorationAmount: number }>('POST', '/subscription/preview', {
    planId: 'professional',
  });
  expect(preview.status).toBe(200);
  expect(preview.body.amountDueNow).toBeGreaterThan(0);
  expect(preview.body.amountDueNow).toBeLessThan(9900 - 2900);
  const upgrade = await call<Sub & { change: string }>(
    'PATCH',
    '/subscription',
    { planId: 'professional' },
    { 'idempotency-key': `upgrade-${org}` },
  );
  expect(upgrade.status).toBe(200);
  expect(upgrade.body).toMatchObject({
    change: 'upgraded',
    subscription: { plan: 'professional' },
    effectivePlan: 'professional',
  });
  const proration = await eventually('the proration invoice mirrored', async () =>
    (await call<Invoices>('GET', '/invoices')).body.data.find(
      (i) => i.billingReason === 'subscription_update' && i.status === 'paid',
    ),
  );
  expect(Math.abs(proration.amountPaid - preview.body.amountDueNow)).toBeLessThanOrEqual(5);

  // A new card.
  const card = await call<{ retry: string | null }>('POST', '/payment-method', {
    paymentMethodId: 'pm_card_mastercard',
  });
  expect(card.status).toBe(200);
  expect(card.body.retry).toBeNull();
  const cards = await eventually('the new card listed as the default', async () => {
    const listed = (await call<{ data: { brand: string; isDefault: boolean }[] }>('GET', '/payment-methods')).body.data;
    return listed.some((m) => m.brand === 'mastercard' && m.isDefault) ? listed : undefined;
  });
  expect(cards.filter((m) => m.isDefault)).toHaveLength(1);

  // Cancel at period end, change of mind, then cancel for good and reach the end.
  expect((await call<Sub>('DELETE', '/subscription')).body.subscription?.cancelAtPeriodEnd).toBe(true);
  expect((await call<Sub>('POST', '/subscription/resume')).body.subscription?.cancelAtPeriodEnd).toBe(false);
  expect(
    (await call<Sub>('DELETE', '/subscription?immediate=false', undefined, { 'idempotency-key': `cancel-${org}` })).body
      .subscription?.cancelAtPeriodEnd,
  ).toBe(true);
  await expectReadModelMatchesStripe(org, call);
  const periodEnd = Date.parse((await call<Sub>('GET', '/subscription')).body.subscription?.currentPeriodEnd ?? '');
  await advanceClock(stack, org, periodEnd + DAY);
  const ended = await eventually('canceled at period end', async () => {
    const s = (await call<Sub>('GET', '/subscription')).body;
    return s.subscription?.status === 'canceled' ? s : undefined;
  });
  expect(ended.effectivePlan).toBe('free');

  // No Stripe write twice: every write carried a deterministic key, and no key produced two effects.
  const writes = stack.sim.requests
    .all()
    .filter(
      (r) =>
        r.method === 'POST' &&
        !r.path.startsWith('/v1/test_helpers') &&
        !r.path.startsWith('/v1/webhook_endpoints') &&
        !r.path.startsWith('/v1/products') &&
        !r.path.startsWith('/v1/prices') &&
        !r.path.startsWith('/v1/billing'),
    );
  expect(writes.filter((r) => r.idempotencyKey === null)).toEqual([]);
  expect(
    writes
      .filter((r) => r.path === '/v1/subscriptions' && r.status === 200)
      .map((r) => r.idempotencyKey)
      .filter((k, i, all) => all.indexOf(k) === i),
  ).toHaveLength(1);

  // Every request the service sent is one real Stripe accepts (stripe-mock validates against Stripe's OpenAPI spec).
  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});

test('an organization cannot subscribe twice, and members cannot change billing', async () => {
  const org = `org_twice_${randomUUID().slice(0, 8)}`;
  const owner = apiClient(stack, await userToken({ org }));
  const member = apiClient(stack, await userToken({ org, role: 'member' }));
  const results = await Promise.all(
    [1, 2].map((i) =>
      owner<Sub>(
        'POST',
        '/subscription',
        { planId: 'professional', paymentMethodId: 'pm_card_visa' },
        { 'idempotency-key': `twice-${org}-${i}` },
      ),
    ),
  );
  expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  expect(results.find((r) => r.status === 409)?.body.error?.details?.reason).toBe('AlreadySubscribed');
  expect((await stack.stripe.subscriptions.list({ customer: await customerOf(stack, org) })).data).toHaveLength(1);
  expect((await member('DELETE', '/subscription')).status).toBe(403);
});
