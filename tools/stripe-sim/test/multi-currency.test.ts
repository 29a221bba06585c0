import Stripe from 'stripe';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  DAY,
  advanceClock,
  closeCheckingContract,
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

describe('multi-currency prices (currency_options) on the simulator', () => {
  let h: SimHarness;
  let starter: Stripe.Price;
  let pro: Stripe.Price;
  let usdOnly: Stripe.Price;
  beforeAll(async () => {
    h = await startSimulator();
    const product = await h.stripe.products.create({ name: 'Plan fx' });
    const create = (lookupKey: string, usd: number, eur?: number) =>
      h.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        unit_amount: usd,
        ...(eur === undefined ? {} : { currency_options: { eur: { unit_amount: eur } } }),
        recurring: { interval: 'month' },
        lookup_key: lookupKey,
      });
    starter = await create('starter_fx', 2_900, 2_700);
    pro = await create('pro_fx', 9_900, 9_200);
    usdOnly = await create('usd_only_fx', 500);
  });
  afterAll(() => closeCheckingContract(h), CONTRACT_CHECK_TIMEOUT_MS);

  it('returns currency_options only when expanded, the default currency included, also by lookup key', async () => {
    const plain = await h.stripe.prices.retrieve(starter.id);
    expect(plain.currency_options).toBeUndefined();
    const expanded = await h.stripe.prices.retrieve(starter.id, { expand: ['currency_options'] });
    expect(expanded.currency_options).toEqual({
      usd: expect.objectContaining({ unit_amount: 2_900 }),
      eur: expect.objectContaining({ unit_amount: 2_700, unit_amount_decimal: '2700' }),
    });
    const listed = await h.stripe.prices.list({ lookup_keys: ['starter_fx'], expand: ['data.currency_options'] });
    expect(listed.data[0]?.currency_options?.eur?.unit_amount).toBe(2_700);
  });

  it('refuses a currency option that repeats the default currency', async () => {
    const err = await stripeError(
      h.stripe.prices.create({
        product: typeof starter.product === 'string' ? starter.product : starter.product.id,
        currency: 'usd',
        unit_amount: 100,
        currency_options: { usd: { unit_amount: 90 } },
        recurring: { interval: 'month' },
      }),
    );
    expect(err).toMatchObject({ statusCode: 400, param: 'currency_options[usd]' });
  });

  it('charges a subscription created with currency=eur in euros, fixes the customer to eur and prorates in eur', async () => {
    const { stripe } = h;
    const { clock, customer } = await customerOnClock(stripe, start);
    expect(customer.currency).toBeNull();
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      currency: 'eur',
    });
    expect(sub.currency).toBe('eur');
    const first = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(first).toMatchObject({ status: 'paid', currency: 'eur', total: 2_700, amount_paid: 2_700 });
    expect(first.lines.data[0]).toMatchObject({ currency: 'eur', amount: 2_700 });
    expect(first.lines.data[0]?.description).toContain('EUR 27.00');
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ currency: 'eur' });

    // 15 days into March (16 of its 31 days left): upgrade to pro; the proration is in euros at the EUR amounts.
    await advanceClock(stripe, clock.id, start + 15 * DAY);
    const itemId = sub.items.data[0]?.id ?? '';
    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      subscription_details: { items: [{ id: itemId, price: pro.id }], proration_behavior: 'always_invoice' },
    });
    expect(preview.currency).toBe('eur');
    const updated = await stripe.subscriptions.update(sub.id, {
      items: [{ id: itemId, price: pro.id }],
      proration_behavior: 'always_invoice',
    });
    const proration = await stripe.invoices.retrieve(updated.latest_invoice as string);
    expect(proration.currency).toBe('eur');
    // 16/31 of the EUR amounts: -13.94 EUR unused starter (27.00), +47.48 EUR remaining pro (92.00).
    expect(proration.lines.data.map((l) => [l.currency, l.amount])).toEqual([
      ['eur', -1_394],
      ['eur', 4_748],
    ]);
    expect(preview.total).toBe(proration.total);

    // The renewal stays in euros.
    await advanceClock(stripe, clock.id, utc(2026, 4, 1) + 3_600);
    const renewal = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data[0];
    expect(renewal).toMatchObject({ currency: 'eur', billing_reason: 'subscription_cycle', total: 9_200 });
  });

  it("takes the customer's currency when none is passed, and refuses a subscription in another one", async () => {
    const { stripe } = h;
    const { customer } = await customerOnClock(stripe, start);
    await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }], currency: 'eur' });
    const second = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: pro.id }] });
    expect(second.currency).toBe('eur');
    const err = await stripeError(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: pro.id }], currency: 'usd' }),
    );
    expect(err).toMatchObject({ statusCode: 400, param: 'currency' });
    expect(err.message).toContain('You cannot combine currencies on a single customer');
    expect(err.message).toContain('eur');
  });

  it('keeps usd as the default and refuses a price without the requested currency', async () => {
    const { stripe } = h;
    const { customer } = await customerOnClock(stripe, start);
    const err = await stripeError(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: usdOnly.id }], currency: 'eur' }),
    );
    expect(err).toMatchObject({ statusCode: 400, param: 'items[0][price]' });
    expect(((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).currency).toBeNull();
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    expect(sub.currency).toBe('usd');
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ currency: 'usd', total: 2_900 });
  });
});
