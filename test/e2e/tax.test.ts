import type Stripe from 'stripe';
import { advanceClock, apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { assertAcceptedByStripeMock, startStripeMock } from '../../tools/stripe-sim/test/stripe-mock-contract';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

type Invoice = {
  stripeInvoiceId: string;
  billingReason: string | null;
  status: string;
  amountDue: number;
  tax: number | null;
  totalExcludingTax: number | null;
  reverseCharge: boolean;
};
type Preview = { amountDueNow: number; tax?: number; reverseCharge?: boolean };
type Upcoming = { upcoming: { subtotal: number; tax: number; reverseCharge: boolean; total: number } | null };
type Envelope = { error: { code: string; message: string } };

interface Profile {
  email: string;
  legalName: string;
  address: Record<string, string>;
  taxIds?: { type: string; value: string }[];
}

async function startTaxed(stack: Stack, profile: Profile, planId = 'starter') {
  const org = `org_tax_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@users.example` }));
  const put = await call('PUT', '/billing-profile', profile, { 'idempotency-key': `profile-${org}` });
  expect(put.status).toBe(200);
  const sub = await call(
    'POST',
    '/subscription',
    { planId, paymentMethodId: 'pm_card_visa', skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(sub.status).toBe(201);
  const first = await eventually('the first invoice mirrored', async () =>
    (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find(
      (i) => i.billingReason === 'subscription_create' && i.status === 'paid',
    ),
  );
  return { org, call, first };
}

describe('STRIPE_TAX=1: Stripe Tax through the API, on the simulator', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { STRIPE_TAX: '1' } });
    const { syncCatalog } = await import('../../src/stripe/catalog-sync');
    await syncCatalog(stack.stripe);
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('a New York customer is taxed: GET /invoices, the preview and the next invoice show the tax Stripe computed', async () => {
    const { call, first } = await startTaxed(stack, {
      email: 'ap@gotham.example',
      legalName: 'Gotham Inc.',
      address: { line1: '1 Main St', city: 'New York', state: 'NY', postalCode: '10001', country: 'US' },
    });
    // $29.00 at the simulator's 4 % for New York.
    expect(first).toMatchObject({ amountDue: 3_016, tax: 116, totalExcludingTax: 2_900, reverseCharge: false });
    const stripeInvoice = await stack.stripe.invoices.retrieve(first.stripeInvoiceId);
    expect(stripeInvoice.automatic_tax.enabled).toBe(true);
    expect(stripeInvoice.total_taxes?.reduce((s, t) => s + t.amount, 0)).toBe(116);

    const upcoming = (await call<Upcoming>('GET', '/invoices/upcoming')).body.upcoming;
    expect(upcoming).toMatchObject({ subtotal: 2_900, tax: 116, total: 3_016, reverseCharge: false });

    // The preview's amounts are the invoice's: confirm the upgrade and compare.
    const preview = await call<Preview>('POST', '/subscription/preview', { planId: 'professional' });
    expect(preview.status).toBe(200);
    expect(preview.body.tax).toBeGreaterThan(0);
    expect(preview.body.reverseCharge).toBe(false);
    const upgrade = await call(
      'PATCH',
      '/subscription',
      { planId: 'professional' },
      { 'idempotency-key': 'upgrade-new-york' },
    );
    expect(upgrade.status).toBe(200);
    const proration = await eventually('the proration invoice mirrored', async () =>
      (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find(
        (i) => i.billingReason === 'subscription_update' && i.status === 'paid',
      ),
    );
    expect({ amountDue: proration.amountDue, tax: proration.tax }).toEqual({
      amountDue: preview.body.amountDueNow,
      tax: preview.body.tax,
    });
  });

  test('a German business with a French VAT ID is reverse-charged; a German customer without one pays 19 % VAT', async () => {
    const business = await startTaxed(
      stack,
      {
        email: 'buchhaltung@firma.example',
        legalName: 'Firma GmbH',
        address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
        taxIds: [{ type: 'eu_vat', value: 'FR 12 345678901' }],
      },
      'professional',
    );
    expect(business.first).toMatchObject({ amountDue: 9_900, tax: 0, totalExcludingTax: 9_900, reverseCharge: true });
    const stripeInvoice = await stack.stripe.invoices.retrieve(business.first.stripeInvoiceId);
    expect(stripeInvoice.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'FR12345678901' }]);
    expect((await business.call<Upcoming>('GET', '/invoices/upcoming')).body.upcoming).toMatchObject({
      tax: 0,
      reverseCharge: true,
    });

    const consumer = await startTaxed(
      stack,
      {
        email: 'kunde@example.de',
        legalName: 'Erika Mustermann',
        address: { line1: 'Heidestraße 17', city: 'Köln', postalCode: '51147', country: 'DE' },
      },
      'professional',
    );
    expect(consumer.first).toMatchObject({ amountDue: 11_781, tax: 1_881, reverseCharge: false });
  });

  test('the UK rate applies to a British customer, and an address Stripe Tax cannot locate is refused with the envelope', async () => {
    const uk = await startTaxed(stack, {
      email: 'accounts@tea.example',
      legalName: 'Tea Ltd',
      address: { line1: '10 Downing St', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' },
      taxIds: [{ type: 'gb_vat', value: 'GB123456789' }],
    });
    expect(uk.first).toMatchObject({ amountDue: 3_480, tax: 580, reverseCharge: false });

    const org = `org_tax_nozip_${Date.now().toString(36)}`;
    const call = apiClient(stack, await userToken({ org, email: `${org}@users.example` }));
    const subscribe = (key: string) =>
      call<Envelope>(
        'POST',
        '/subscription',
        { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
        { 'idempotency-key': `${key}-${org}` },
      );
    // No billing profile yet: Stripe Tax has no location at all.
    const noAddress = await subscribe('sub-none');
    expect(noAddress.status).toBe(400);
    expect(noAddress.body.error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/billing/) });
    // A US address whose ZIP code Stripe Tax cannot use.
    const profile = {
      email: 'ap@nozip.example',
      legalName: 'No Zip LLC',
      address: { line1: '1 Congress Ave', city: 'Austin', state: 'TX', postalCode: 'unknown', country: 'US' },
    };
    expect((await call('PUT', '/billing-profile', profile, { 'idempotency-key': `p-${org}` })).status).toBe(200);
    const refused = await subscribe('sub-nozip');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('INVALID_REQUEST');
    expect(refused.body.error.message).toMatch(/ZIP code/);
    const customers = await stack.stripe.customers.list({ email: 'ap@nozip.example' });
    expect(customers.data).toHaveLength(1);
    const subs = await Promise.all(
      customers.data.map((c: Stripe.Customer) => stack.stripe.subscriptions.list({ customer: c.id, status: 'all' })),
    );
    expect(subs.flatMap((s) => s.data)).toEqual([]);

    // With a ZIP code the same organization subscribes, taxed at Texas's simulated 6.25 %.
    const fixed = { ...profile, address: { ...profile.address, postalCode: '78701' } };
    expect((await call('PUT', '/billing-profile', fixed, { 'idempotency-key': `p2-${org}` })).status).toBe(200);
    expect((await subscribe('sub-zip')).status).toBe(201);
    const first = await eventually('the first invoice mirrored', async () =>
      (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find((i) => i.status === 'paid'),
    );
    expect(first).toMatchObject({ amountDue: 3_081, tax: 181 });
  });

  test('a downgrade held for the renewal keeps the tax: each schedule phase says automatic_tax, and the renewal on the lower plan is taxed', async () => {
    const { org, call } = await startTaxed(
      stack,
      {
        email: 'ap@albion.example',
        legalName: 'Albion Ltd',
        address: { line1: '1 High St', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      },
      'professional',
    );
    const down = await call('PATCH', '/subscription', { planId: 'starter' }, { 'idempotency-key': `down-${org}` });
    expect(down.status).toBe(200);
    const customer = await stack.t.db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', org)
      .executeTakeFirstOrThrow();
    const [sub] = (await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id })).data;
    const schedule = await stack.stripe.subscriptionSchedules.retrieve(
      typeof sub!.schedule === 'string' ? sub!.schedule : (sub!.schedule?.id ?? ''),
    );
    expect(schedule.phases.map((p) => p.automatic_tax?.enabled)).toEqual([true, true]);

    const periodEnd = sub!.items.data[0]!.current_period_end * 1000;
    await advanceClock(stack, org, periodEnd + 3_600_000);
    const renewal = await eventually('the renewal on starter mirrored', async () =>
      (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find(
        (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid',
      ),
    );
    // Starter's $29.00 at the UK's simulated 20 %.
    expect(renewal).toMatchObject({ totalExcludingTax: 2_900, tax: 580, amountDue: 3_480 });
  });

  test('every request the service sent with STRIPE_TAX=1 is one Stripe accepts (stripe-mock)', async () => {
    const mock = await startStripeMock();
    try {
      const sent = stack.sim.requests.all();
      expect(sent.some((r) => JSON.stringify(r).includes('automatic_tax'))).toBe(true);
      await assertAcceptedByStripeMock(mock.url, sent);
    } finally {
      await mock.stop();
    }
  });
});

describe('STRIPE_TAX off (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
    const { syncCatalog } = await import('../../src/stripe/catalog-sync');
    await syncCatalog(stack.stripe);
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('a customer with a taxable address is not taxed, and tax is absent from the invoice and the preview', async () => {
    const { call, first } = await startTaxed(stack, {
      email: 'ap@untaxed.example',
      legalName: 'Untaxed Inc.',
      address: { line1: '1 Main St', city: 'New York', state: 'NY', postalCode: '10001', country: 'US' },
    });
    expect(first).toMatchObject({ amountDue: 2_900, tax: null, reverseCharge: false });
    expect((await stack.stripe.invoices.retrieve(first.stripeInvoiceId)).automatic_tax.enabled).toBe(false);
    const preview = await call<Preview>('POST', '/subscription/preview', { planId: 'professional' });
    expect(preview.status).toBe(200);
    expect(preview.body).not.toHaveProperty('tax');
    expect((await call<Upcoming>('GET', '/invoices/upcoming')).body.upcoming).toMatchObject({
      tax: 0,
      total: 2_900,
      reverseCharge: false,
    });
  });
});
