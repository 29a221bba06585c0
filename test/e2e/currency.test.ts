import { advanceClock, apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { assertAcceptedByStripeMock, startStripeMock } from '../../tools/stripe-sim/test/stripe-mock-contract';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

type Invoice = { billingReason: string | null; status: string; currency: string; amountDue: number };
type Sub = { subscription: { currency: string; plan: string; status: string } | null };

const germanProfile = {
  email: 'buchhaltung@firma.example',
  legalName: 'Firma GmbH',
  address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
};

async function newOrg(stack: Stack, label: string) {
  const org = `org_fx_${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return { org, call: apiClient(stack, await userToken({ org, email: `${org}@users.example` })) };
}

async function firstPaidInvoice(call: Awaited<ReturnType<typeof newOrg>>['call']): Promise<Invoice> {
  return eventually('the first invoice mirrored', async () =>
    (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find(
      (i) => i.billingReason === 'subscription_create' && i.status === 'paid',
    ),
  );
}

describe('a second currency (EUR) through the API, on the simulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const { syncCatalog } = await import('../../src/stripe/catalog-sync');
    await syncCatalog(stack.stripe);
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('a German customer subscribes without naming a currency and is billed in EUR; a later subscribe in USD is refused', async () => {
    const { org, call } = await newOrg(stack, 'de');
    expect((await call('PUT', '/billing-profile', germanProfile, { 'idempotency-key': `profile-${org}` })).status).toBe(
      200,
    );
    const sub = await call<Sub>(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
      { 'idempotency-key': `sub-${org}` },
    );
    expect(sub.status).toBe(201);
    expect(sub.body.subscription?.currency).toBe('eur');
    // Starter's EUR amount (the same number as USD: 29.00).
    expect(await firstPaidInvoice(call)).toMatchObject({ currency: 'eur', amountDue: 2_900 });
    expect((await call<Sub>('GET', '/subscription')).body.subscription?.currency).toBe('eur');
    const customers = await stack.stripe.customers.list({ email: 'buchhaltung@firma.example', limit: 5 });
    expect(customers.data.map((c) => c.currency)).toContain('eur');

    // Back on free, then a subscribe in USD: the organization's currency is fixed.
    expect(
      (await call('DELETE', '/subscription?immediate=true', undefined, { 'idempotency-key': `cancel-${org}` })).status,
    ).toBe(200);
    const refused = await call(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true, currency: 'usd' },
      { 'idempotency-key': `sub-usd-${org}` },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('CONFLICT');
    expect(refused.body.error?.message).toContain('EUR');
    expect(refused.body.error?.message).toContain('USD');
  });

  test('a US customer can ask for EUR explicitly and renews in EUR; without a profile the default is USD', async () => {
    const eur = await newOrg(stack, 'us_eur');
    const sub = await eur.call<Sub>(
      'POST',
      '/subscription',
      { planId: 'professional', paymentMethodId: 'pm_card_visa', skipTrial: true, currency: 'eur' },
      { 'idempotency-key': `sub-${eur.org}` },
    );
    expect(sub.status).toBe(201);
    expect(await firstPaidInvoice(eur.call)).toMatchObject({ currency: 'eur', amountDue: 9_900 });
    // The renewal stays in EUR.
    const customer = await stack.t.db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', eur.org)
      .executeTakeFirstOrThrow();
    const [stripeSub] = (await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id })).data;
    expect(stripeSub?.currency).toBe('eur');
    await advanceClock(stack, eur.org, (stripeSub?.items.data[0]?.current_period_end ?? 0) * 1000 + 3_600_000);
    const renewal = await eventually('the EUR renewal mirrored', async () =>
      (await eur.call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find(
        (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid',
      ),
    );
    expect(renewal).toMatchObject({ currency: 'eur', amountDue: 9_900 });

    const usd = await newOrg(stack, 'us');
    const plain = await usd.call<Sub>(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
      { 'idempotency-key': `sub-${usd.org}` },
    );
    expect(plain.status).toBe(201);
    expect(await firstPaidInvoice(usd.call)).toMatchObject({ currency: 'usd', amountDue: 2_900 });
  });

  test('a currency other than usd or eur is refused before anything is created', async () => {
    const { call } = await newOrg(stack, 'bad');
    const res = await call(
      'POST',
      '/subscription',
      { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true, currency: 'gbp' },
      { 'idempotency-key': 'sub-gbp' },
    );
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    expect((await call<Sub>('GET', '/subscription')).body.subscription).toBeNull();
  });

  test('every request the service sent (currency_options, currency) is one Stripe accepts (stripe-mock)', async () => {
    const mock = await startStripeMock();
    try {
      const sent = stack.sim.requests.all();
      expect(sent.some((r) => JSON.stringify(r).includes('currency_options'))).toBe(true);
      await assertAcceptedByStripeMock(mock.url, sent);
    } finally {
      await mock.stop();
    }
  });
});
