import Stripe from 'stripe';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  advanceClock,
  closeCheckingContract,
  createCatalog,
  customerOnClock,
  startSimulator,
  utc,
  type SimHarness,
} from './support';

async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected a Stripe error');
}

const start = utc(2026, 3, 1);

describe('Stripe Tax (automatic_tax) on the simulator', () => {
  let h: SimHarness;
  let prices: { starter: Stripe.Price; pro: Stripe.Price; product: Stripe.Product };
  beforeAll(async () => {
    h = await startSimulator();
    prices = await createCatalog(h.stripe, 'tax');
  });
  afterAll(() => closeCheckingContract(h), CONTRACT_CHECK_TIMEOUT_MS);

  async function customerAt(address: Stripe.AddressParam, taxId?: { type: 'eu_vat' | 'gb_vat'; value: string }) {
    const { stripe } = h;
    const { clock, customer } = await customerOnClock(stripe, start);
    await stripe.customers.update(customer.id, { address });
    if (taxId) await stripe.customers.createTaxId(customer.id, taxId);
    return { clock, customer };
  }

  async function firstInvoice(sub: Stripe.Subscription): Promise<Stripe.Invoice> {
    return h.stripe.invoices.retrieve(typeof sub.latest_invoice === 'string' ? sub.latest_invoice : '');
  }

  it('taxes a US customer at its state rate, exclusive, per line, with the invoice fields Stripe fills', async () => {
    const { stripe } = h;
    const { customer } = await customerAt({ country: 'US', state: 'NY', postal_code: '10001', line1: '1 Main St' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: prices.starter.id, quantity: 2 }],
      automatic_tax: { enabled: true },
    });
    expect(sub.automatic_tax).toEqual({ enabled: true, disabled_reason: null, liability: { type: 'self' } });
    const invoice = await firstInvoice(sub);
    // 2 × $29.00 at New York's simulated 4 %.
    expect(invoice).toMatchObject({
      status: 'paid',
      subtotal: 5_800,
      total_excluding_tax: 5_800,
      total: 6_032,
      amount_paid: 6_032,
      automatic_tax: { enabled: true, status: 'complete', provider: 'stripe', disabled_reason: null },
      customer_address: { country: 'US', state: 'NY', postal_code: '10001' },
      customer_tax_exempt: 'none',
    });
    expect(invoice.total_taxes).toEqual([
      {
        amount: 232,
        tax_behavior: 'exclusive',
        tax_rate_details: { tax_rate: 'txr_sim_us_ny_standard_rated' },
        taxability_reason: 'standard_rated',
        taxable_amount: 5_800,
        type: 'tax_rate_details',
      },
    ]);
    expect(invoice.lines.data[0]?.taxes).toEqual([expect.objectContaining({ amount: 232, taxable_amount: 5_800 })]);
    const expanded = await stripe.customers.retrieve(customer.id, { expand: ['tax'] });
    expect((expanded as Stripe.Customer).tax).toMatchObject({
      automatic_tax: 'supported',
      location: { country: 'US', state: 'NY', source: 'billing_address' },
    });
  });

  it('reverse-charges a German business with a French VAT ID; a German consumer pays German VAT', async () => {
    const { stripe } = h;
    const business = await customerAt({ country: 'DE', city: 'Berlin' }, { type: 'eu_vat', value: 'FR12345678901' });
    const sub = await stripe.subscriptions.create({
      customer: business.customer.id,
      items: [{ price: prices.pro.id }],
      automatic_tax: { enabled: true },
    });
    const reversed = await firstInvoice(sub);
    expect(reversed).toMatchObject({ subtotal: 9_900, total: 9_900, total_excluding_tax: 9_900 });
    expect(reversed.customer_tax_ids).toEqual([{ type: 'eu_vat', value: 'FR12345678901' }]);
    expect(reversed.total_taxes).toEqual([
      expect.objectContaining({ amount: 0, taxability_reason: 'reverse_charge', taxable_amount: 9_900 }),
    ]);
    expect(reversed.lines.data[0]?.taxes?.[0]?.taxability_reason).toBe('reverse_charge');

    const consumer = await customerAt({ country: 'DE', city: 'Berlin' });
    const taxed = await firstInvoice(
      await stripe.subscriptions.create({
        customer: consumer.customer.id,
        items: [{ price: prices.pro.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(taxed).toMatchObject({ total_excluding_tax: 9_900, total: 11_781 });
    expect(taxed.total_taxes?.[0]).toMatchObject({ amount: 1_881, taxability_reason: 'standard_rated' });
  });

  it("a VAT ID of the seller's own member state is domestic and taxed; the UK has its own VAT", async () => {
    const { stripe } = h;
    const irish = await customerAt({ country: 'IE' }, { type: 'eu_vat', value: 'IE1234567WA' });
    const domestic = await firstInvoice(
      await stripe.subscriptions.create({
        customer: irish.customer.id,
        items: [{ price: prices.starter.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(domestic.total_taxes?.[0]).toMatchObject({ amount: 667, taxability_reason: 'standard_rated' });
    const british = await customerAt(
      { country: 'GB', postal_code: 'SW1A 1AA' },
      { type: 'gb_vat', value: 'GB123456789' },
    );
    const uk = await firstInvoice(
      await stripe.subscriptions.create({
        customer: british.customer.id,
        items: [{ price: prices.starter.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(uk).toMatchObject({ total: 3_480 });
    expect(uk.total_taxes?.[0]).toMatchObject({ amount: 580, taxability_reason: 'standard_rated' });
  });

  it("taxes the discounted amount, previews with the subscription's setting unless the preview sets its own, and taxes renewals and prorations", async () => {
    const { stripe } = h;
    const { clock, customer } = await customerAt({ country: 'FR', city: 'Paris' });
    const coupon = await stripe.coupons.create({ percent_off: 50, duration: 'forever' });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: prices.starter.id }],
      discounts: [{ coupon: coupon.id }],
      automatic_tax: { enabled: true },
    });
    // $29.00 − 50 % = $14.50, France's simulated 20 % → $2.90.
    expect(await firstInvoice(sub)).toMatchObject({ total_excluding_tax: 1_450, total: 1_740 });
    const inherited = await stripe.invoices.createPreview({ customer: customer.id, subscription: sub.id });
    expect(inherited).toMatchObject({ total: 1_740, automatic_tax: { enabled: true } });
    const untaxed = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      automatic_tax: { enabled: false },
    });
    expect(untaxed).toMatchObject({ total: 1_450, total_taxes: [], automatic_tax: { enabled: false } });
    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      automatic_tax: { enabled: true },
      subscription_details: { items: [{ id: sub.items.data[0]?.id, price: prices.pro.id }] },
    });
    expect(preview.total).toBe((preview.total_excluding_tax ?? 0) + (preview.total_taxes?.[0]?.amount ?? 0));
    expect(preview.total_taxes?.[0]?.amount).toBe(Math.round((preview.total_excluding_tax ?? 0) * 0.2));

    await advanceClock(stripe, clock.id, utc(2026, 4, 2));
    const renewal = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', total: 1_740 });
  });

  it('refuses automatic tax for a customer whose location is not recognized, and turns it off at renewal when the address goes', async () => {
    const { stripe } = h;
    const { clock, customer } = await customerOnClock(stripe, start);
    const noAddress = await stripeError(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: prices.starter.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(noAddress).toMatchObject({ code: 'customer_tax_location_invalid', param: 'automatic_tax[enabled]' });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
    await stripe.customers.update(customer.id, { address: { country: 'US', state: 'CA' } });
    const noZip = await stripeError(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: prices.starter.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(noZip.code).toBe('customer_tax_location_invalid');
    const expanded = (await stripe.customers.retrieve(customer.id, { expand: ['tax'] })) as Stripe.Customer;
    expect(expanded.tax?.automatic_tax).toBe('unrecognized_location');

    await stripe.customers.update(customer.id, { address: { country: 'US', state: 'CA', postal_code: '94105' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: prices.starter.id }] });
    expect((await firstInvoice(sub)).total_taxes).toEqual([]);
    const updated = await stripe.subscriptions.update(sub.id, { automatic_tax: { enabled: true } });
    expect(updated.automatic_tax.enabled).toBe(true);
    await stripe.customers.update(customer.id, { address: '' });
    expect(
      (await stripeError(stripe.invoices.createPreview({ subscription: sub.id, automatic_tax: { enabled: true } })))
        .code,
    ).toBe('customer_tax_location_invalid');
    await advanceClock(stripe, clock.id, utc(2026, 4, 2));
    const renewal = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal?.automatic_tax).toMatchObject({
      enabled: false,
      status: 'requires_location_inputs',
      disabled_reason: 'finalization_requires_location_inputs',
    });
    expect(renewal?.total).toBe(2_900);
    expect((await stripe.subscriptions.retrieve(sub.id)).automatic_tax).toMatchObject({
      enabled: false,
      disabled_reason: 'requires_location_inputs',
    });
  });

  it('a location outside the rate table is not_collecting (tax 0)', async () => {
    const { stripe } = h;
    const { customer } = await customerAt({ country: 'JP' });
    const invoice = await firstInvoice(
      await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: prices.starter.id }],
        automatic_tax: { enabled: true },
      }),
    );
    expect(invoice.total).toBe(2_900);
    expect(invoice.total_taxes?.[0]).toMatchObject({ amount: 0, taxability_reason: 'not_collecting' });
  });
});
