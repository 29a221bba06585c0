import type Stripe from 'stripe';
import {
  DAY,
  advanceClock,
  createCatalog,
  customerOnClock,
  startSimulator,
  utc,
  type SimHarness,
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
} from './support';

describe('changing plans mid-period', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('charges the prorated difference at once with always_invoice, and the preview predicts it', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter, pro } = await createCatalog(stripe, 'upgrade');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    expect(sub.status).toBe('active');
    const changeAt = start + 10 * DAY;
    await advanceClock(stripe, clock.id, changeAt);
    const itemId = sub.items.data[0]?.id ?? '';
    const periodEnd = utc(2026, 2, 1);
    const remaining = (periodEnd - changeAt) / (periodEnd - start);
    const expectedCredit = -Math.round(2_900 * remaining);
    const expectedCharge = Math.round(9_900 * remaining);

    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      subscription_details: {
        items: [{ id: itemId, price: pro.id }],
        proration_date: changeAt,
        proration_behavior: 'always_invoice',
      },
    });
    const prorations = preview.lines.data.filter((l) => l.parent?.invoice_item_details?.proration);
    expect(prorations.map((l) => l.amount).sort((a, b) => a - b)).toEqual([expectedCredit, expectedCharge]);
    expect(preview.amount_due).toBe(expectedCredit + expectedCharge);

    const updated = await stripe.subscriptions.update(sub.id, {
      items: [{ id: itemId, price: pro.id }],
      proration_behavior: 'always_invoice',
      proration_date: changeAt,
      expand: ['latest_invoice'],
    });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    expect(updated.items.data[0]).toMatchObject({ id: itemId, price: { id: pro.id } });
    expect(invoice).toMatchObject({
      billing_reason: 'subscription_update',
      status: 'paid',
      amount_paid: expectedCredit + expectedCharge,
    });
    expect(invoice.lines.data.map((l) => l.description)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Unused time on .* after 11 Jan 2026$/),
        expect.stringMatching(/^Remaining time on .* after 11 Jan 2026$/),
      ]),
    );
  });

  it('defers prorations to the next renewal invoice with create_prorations', async () => {
    const { stripe } = h;
    const start = utc(2026, 3, 1);
    const { starter, pro } = await createCatalog(stripe, 'deferred');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: pro.id }] });
    const changeAt = start + 15 * DAY;
    await advanceClock(stripe, clock.id, changeAt);
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]?.id ?? '', price: starter.id }],
      proration_behavior: 'create_prorations',
    });
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);

    await advanceClock(stripe, clock.id, utc(2026, 4, 1) + 60);
    const renewal = (await stripe.invoices.list({ subscription: sub.id })).data[0];
    const fraction = (utc(2026, 4, 1) - changeAt) / (utc(2026, 4, 1) - start);
    const expected = -Math.round(9_900 * fraction) + Math.round(2_900 * fraction) + 2_900;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', total: expected });
    expect(renewal?.lines.data.filter((l) => l.parent?.invoice_item_details?.proration)).toHaveLength(2);
  });

  it('keeps the old plan and records a pending update when the upgrade payment fails with pending_if_incomplete', async () => {
    const { stripe } = h;
    const start = utc(2026, 5, 1);
    const { starter, pro } = await createCatalog(stripe, 'pending');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    await advanceClock(stripe, clock.id, start + 5 * DAY);
    const updated = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0]?.id ?? '', price: pro.id }],
      proration_behavior: 'always_invoice',
      payment_behavior: 'pending_if_incomplete',
    });
    expect(updated.items.data[0]?.price.id).toBe(starter.id);
    expect(updated.pending_update?.subscription_items?.[0]?.price.id).toBe(pro.id);
    expect(updated.status).toBe('active');

    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.invoices.pay(typeof updated.latest_invoice === 'string' ? updated.latest_invoice : '', {
      payment_method: visa.id,
    });
    const applied = await stripe.subscriptions.retrieve(sub.id);
    expect(applied.items.data[0]?.price.id).toBe(pro.id);
    expect(applied.pending_update).toBeNull();
  });

  // docs.stripe.com/billing/subscriptions/pending-updates-reference: only a few attributes can make a pending update.
  it('refuses a pending_if_incomplete update with an attribute pending updates do not support, changing nothing', async () => {
    const { stripe } = h;
    const { starter, pro } = await createCatalog(stripe, 'pending_params');
    const { customer } = await customerOnClock(stripe, utc(2026, 5, 1));
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await expect(
      stripe.subscriptions.update(sub.id, {
        items: [{ id: sub.items.data[0]?.id ?? '', price: pro.id }],
        proration_behavior: 'always_invoice',
        payment_behavior: 'pending_if_incomplete',
        automatic_tax: { enabled: true },
        metadata: { note: 'x' },
      }),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'automatic_tax' });
    const unchanged = await stripe.subscriptions.retrieve(sub.id);
    expect(unchanged.items.data[0]?.price.id).toBe(starter.id);
    expect(unchanged.metadata).toEqual({});
  });
});
