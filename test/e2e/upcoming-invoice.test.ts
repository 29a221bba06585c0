import { renewalAmount } from '../../src/domain/pricing';
import { apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

type Upcoming = {
  upcoming: {
    currency: string;
    total: number;
    amountDue: number;
    tax: number;
    discount: number;
    discounts: unknown[];
    nextPaymentAttempt: string | null;
    lines: { kind: string; amount: number; quantity: number | null; description: string | null }[];
  } | null;
};

test('the next invoice: the renewal’s plan, seats and add-on lines at the catalog’s prices plus the overage reported so far', async () => {
  const org = `org_upcoming_${Date.now().toString(36)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@users.example` }));
  expect((await call<Upcoming>('GET', '/invoices/upcoming')).body).toEqual({ upcoming: null });

  const terms = { interval: 'month' as const, seats: 2, addOns: { agents_5: 1 } };
  const sub = await call(
    'POST',
    '/subscription',
    { planId: 'professional', paymentMethodId: 'pm_card_visa', skipTrial: true, seats: 2, addOns: { agents_5: 1 } },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(sub.status).toBe(201);
  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  // Overage of this period, as the worker's reporter sends it to the messages meter.
  await stack.stripe.billing.meterEvents.create({
    event_name: 'billing_messages',
    identifier: `ovg-${org}`,
    payload: { stripe_customer_id: customer.stripe_customer_id, value: '3' },
  });

  const res = await call<Upcoming>('GET', '/invoices/upcoming');
  expect(res.status).toBe(200);
  const upcoming = res.body.upcoming!;
  const byKind = (kind: string) => upcoming.lines.filter((l) => l.kind === kind);
  const renewal = renewalAmount('professional', terms);
  expect(
    byKind('plan').reduce((s, l) => s + l.amount, 0) +
      byKind('seats').reduce((s, l) => s + l.amount, 0) +
      byKind('add_on').reduce((s, l) => s + l.amount, 0),
  ).toBe(renewal);
  expect(byKind('seats')).toEqual([expect.objectContaining({ quantity: 2 })]);
  expect(byKind('add_on')).toEqual([expect.objectContaining({ quantity: 1 })]);
  const overage = byKind('overage').filter((l) => l.amount > 0);
  expect(overage).toEqual([expect.objectContaining({ quantity: 3 })]);
  expect(upcoming).toMatchObject({
    currency: 'usd',
    tax: 0,
    discount: 0,
    discounts: [],
    total: renewal + overage[0]!.amount,
    amountDue: renewal + overage[0]!.amount,
    nextPaymentAttempt: expect.any(String),
  });

  // An ended subscription has no next invoice.
  expect(
    (await call('DELETE', '/subscription?immediate=true', undefined, { 'idempotency-key': `c-${org}` })).status,
  ).toBe(200);
  await eventually('the subscription ended', async () =>
    (await call<Upcoming>('GET', '/invoices/upcoming')).body.upcoming === null ? true : undefined,
  );
});
