import Stripe from 'stripe';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  DAY,
  advanceClock,
  closeCheckingContract,
  createCatalog,
  customerOnClock,
  eventTypes,
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

async function subscriptionInvoices(stripe: Stripe, sub: string): Promise<Stripe.Invoice[]> {
  return (await stripe.invoices.list({ subscription: sub, limit: 20 })).data.reverse();
}

describe('coupons, promotion codes and discounts on the simulator', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(() => closeCheckingContract(h), CONTRACT_CHECK_TIMEOUT_MS);

  it('creates, retrieves, updates, lists and deletes coupons, validating their terms as Stripe does', async () => {
    const { stripe } = h;
    const { product } = await createCatalog(stripe, 'coupons');
    const coupon = await stripe.coupons.create({
      percent_off: 25,
      duration: 'repeating',
      duration_in_months: 3,
      name: 'Launch',
      applies_to: { products: [product.id] },
      max_redemptions: 10,
    });
    expect(coupon).toMatchObject({
      object: 'coupon',
      percent_off: 25,
      amount_off: null,
      currency: null,
      duration: 'repeating',
      duration_in_months: 3,
      applies_to: { products: [product.id] },
      max_redemptions: 10,
      times_redeemed: 0,
      valid: true,
    });
    const fixed = await stripe.coupons.create({ id: 'TENOFF', amount_off: 1_000, currency: 'USD', duration: 'once' });
    expect(fixed).toMatchObject({ id: 'TENOFF', amount_off: 1_000, currency: 'usd', duration: 'once' });
    expect((await stripe.coupons.update('TENOFF', { name: 'Ten off' })).name).toBe('Ten off');
    expect((await stripe.coupons.retrieve(coupon.id)).name).toBe('Launch');
    expect((await stripe.coupons.list({ limit: 5 })).data.map((c) => c.id)).toEqual(['TENOFF', coupon.id]);

    expect((await stripeError(stripe.coupons.create({ duration: 'once' }))).param).toBe('percent_off');
    expect(
      (await stripeError(stripe.coupons.create({ percent_off: 10, amount_off: 100, currency: 'usd' }))).param,
    ).toBe('percent_off');
    expect((await stripeError(stripe.coupons.create({ amount_off: 100 }))).code).toBe('parameter_missing');
    expect((await stripeError(stripe.coupons.create({ percent_off: 10, duration: 'repeating' }))).param).toBe(
      'duration_in_months',
    );
    expect((await stripeError(stripe.coupons.create({ percent_off: 101 }))).param).toBe('percent_off');
    expect((await stripeError(stripe.coupons.create({ percent_off: 10, redeem_by: 1_000 }))).param).toBe('redeem_by');
    expect((await stripeError(stripe.coupons.create({ id: 'TENOFF', percent_off: 10 }))).code).toBe(
      'resource_already_exists',
    );

    expect(await stripe.coupons.del('TENOFF')).toEqual({ id: 'TENOFF', object: 'coupon', deleted: true });
    expect((await stripeError(stripe.coupons.retrieve('TENOFF'))).code).toBe('resource_missing');
  });

  it('creates promotion codes for a coupon (pinned API shape), finds them by code case-insensitively, switches them off', async () => {
    const { stripe } = h;
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'forever' });
    const promo = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'Spring26',
      max_redemptions: 5,
      expires_at: Math.floor(Date.now() / 1000) + 30 * DAY,
    });
    expect(promo).toMatchObject({
      object: 'promotion_code',
      code: 'Spring26',
      active: true,
      promotion: { type: 'coupon', coupon: coupon.id },
      max_redemptions: 5,
      times_redeemed: 0,
      restrictions: { first_time_transaction: false, minimum_amount: null, minimum_amount_currency: null },
    });
    const found = await stripe.promotionCodes.list({ code: 'SPRING26', active: true, limit: 1 });
    expect(found.data.map((p) => p.id)).toEqual([promo.id]);
    const expanded = await stripe.promotionCodes.retrieve(promo.id, { expand: ['promotion.coupon'] });
    expect((expanded.promotion.coupon as Stripe.Coupon).percent_off).toBe(20);
    expect(
      (
        await stripeError(
          stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: 'spring26' }),
        )
      ).code,
    ).toBe('resource_already_exists');
    expect(
      (
        await stripeError(
          stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: 'no spaces' }),
        )
      ).param,
    ).toBe('code');
    const off = await stripe.promotionCodes.update(promo.id, { active: false });
    expect(off.active).toBe(false);
    expect((await stripe.promotionCodes.list({ code: 'spring26', active: true })).data).toEqual([]);
    expect(await eventTypes(stripe, promo.id)).toEqual(
      expect.arrayContaining(['promotion_code.created', 'promotion_code.updated']),
    );
  });

  it('a repeating percent coupon from a promotion code reduces three monthly invoices, then ends', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 15);
    const { starter } = await createCatalog(stripe, 'repeating');
    const coupon = await stripe.coupons.create({ percent_off: 25, duration: 'repeating', duration_in_months: 3 });
    const promo = await stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: 'Q1' });
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      discounts: [{ promotion_code: promo.id }],
      expand: ['discounts'],
    });
    const discount = sub.discounts[0] as Stripe.Discount;
    expect(discount).toMatchObject({
      object: 'discount',
      promotion_code: promo.id,
      source: { type: 'coupon', coupon: coupon.id },
      start,
      end: utc(2026, 4, 15),
      subscription: sub.id,
    });
    expect((await stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(1);
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(1);

    const first = (await subscriptionInvoices(stripe, sub.id))[0];
    expect(first).toMatchObject({
      status: 'paid',
      subtotal: 2_900,
      total: 2_175,
      amount_paid: 2_175,
      discounts: [discount.id],
      total_discount_amounts: [{ amount: 725, discount: discount.id }],
    });
    expect(first?.lines.data[0]?.discount_amounts).toEqual([{ amount: 725, discount: discount.id }]);

    // The preview of the renewal after the discount's end shows no discount.
    await advanceClock(stripe, clock.id, utc(2026, 3, 16));
    const preview = await stripe.invoices.createPreview({ subscription: sub.id });
    expect(preview).toMatchObject({ total: 2_900, total_discount_amounts: [] });

    await advanceClock(stripe, clock.id, utc(2026, 5, 16));
    const invoices = await subscriptionInvoices(stripe, sub.id);
    expect(invoices.map((i) => i.total)).toEqual([2_175, 2_175, 2_175, 2_900, 2_900]);
    const after = await stripe.subscriptions.retrieve(sub.id);
    expect(after.discounts).toEqual([]);
    expect(await eventTypes(stripe, discount.id)).toEqual(
      expect.arrayContaining(['customer.discount.created', 'customer.discount.deleted']),
    );
  });

  it('a forever amount-off coupon reduces every renewal; once is used by the first invoice only', async () => {
    const { stripe } = h;
    const start = utc(2026, 2, 1);
    const { starter } = await createCatalog(stripe, 'forever');
    const forever = await stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'forever' });
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id, quantity: 2 }],
      discounts: [{ coupon: forever.id }],
    });
    await advanceClock(stripe, clock.id, utc(2026, 4, 2));
    expect((await subscriptionInvoices(stripe, sub.id)).map((i) => i.total)).toEqual([5_300, 5_300, 5_300]);

    const once = await stripe.coupons.create({ percent_off: 50, duration: 'once' });
    const other = await customerOnClock(stripe, start);
    const sub2 = await stripe.subscriptions.create({
      customer: other.customer.id,
      items: [{ price: starter.id }],
      discounts: [{ coupon: once.id }],
    });
    expect((await stripe.subscriptions.retrieve(sub2.id)).discounts).toEqual([]);
    await advanceClock(stripe, other.clock.id, utc(2026, 3, 2));
    expect((await subscriptionInvoices(stripe, sub2.id)).map((i) => i.total)).toEqual([1_450, 2_900]);
  });

  it('applies, previews and removes a discount on an existing subscription', async () => {
    const { stripe } = h;
    const start = utc(2026, 3, 1);
    const { starter } = await createCatalog(stripe, 'later');
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });
    const promo = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'LATER10',
    });
    const { customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });

    const previewed = await stripe.invoices.createPreview({
      subscription: sub.id,
      discounts: [{ promotion_code: promo.id }],
    });
    expect(previewed).toMatchObject({ subtotal: 2_900, total: 2_610 });
    expect((await stripe.promotionCodes.retrieve(promo.id)).times_redeemed).toBe(0);

    const applied = await stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: promo.id }] });
    expect(applied.discounts).toHaveLength(1);
    expect((await stripe.invoices.createPreview({ subscription: sub.id })).total).toBe(2_610);
    // The discount behind the preview's total_discount_amounts, expanded with its coupon and promotion code (as the
    // billing service's GET /invoices/upcoming asks).
    const expanded = await stripe.invoices.createPreview({
      subscription: sub.id,
      expand: [
        'total_discount_amounts.discount',
        'total_discount_amounts.discount.source.coupon',
        'total_discount_amounts.discount.promotion_code',
      ],
    });
    expect(expanded.total_discount_amounts).toEqual([
      {
        amount: 290,
        discount: expect.objectContaining({
          id: applied.discounts[0],
          object: 'discount',
          source: expect.objectContaining({ coupon: expect.objectContaining({ id: coupon.id, percent_off: 10 }) }),
          promotion_code: expect.objectContaining({ id: promo.id, code: 'LATER10' }),
        }),
      },
    ]);
    expect((await stripe.invoices.createPreview({ subscription: sub.id, discounts: '' })).total).toBe(2_900);

    const removed = await stripe.subscriptions.update(sub.id, { discounts: '' });
    expect(removed.discounts).toEqual([]);
    expect((await stripe.invoices.createPreview({ subscription: sub.id })).total).toBe(2_900);
  });

  it('refuses expired, exhausted and inactive codes and a coupon for another product, redeeming nothing', async () => {
    const { stripe } = h;
    const start = utc(2026, 4, 1);
    const { starter } = await createCatalog(stripe, 'refusals');
    const elsewhere = await stripe.products.create({ name: 'Other product' });
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });

    const soon = Math.floor(Date.now() / 1000) + 3_600;
    const expiring = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'SOON',
      expires_at: soon,
    });
    await advanceClock(stripe, clock.id, soon + 60);
    const expired = await stripeError(
      stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: expiring.id }] }),
    );
    expect(expired).toMatchObject({ type: 'StripeInvalidRequestError', param: 'discounts[0][promotion_code]' });
    expect(expired.message).toMatch(/expired/);

    const single = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'ONCEONLY',
      max_redemptions: 1,
    });
    const other = await customerOnClock(stripe, start);
    await stripe.subscriptions.create({
      customer: other.customer.id,
      items: [{ price: starter.id }],
      discounts: [{ promotion_code: single.id }],
    });
    const exhausted = await stripeError(
      stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: single.id }] }),
    );
    expect(exhausted.message).toMatch(/maximum number of times/);

    const inactive = await stripe.promotionCodes.create({
      promotion: { type: 'coupon', coupon: coupon.id },
      code: 'OFFLINE',
      active: false,
    });
    expect(
      (await stripeError(stripe.subscriptions.update(sub.id, { discounts: [{ promotion_code: inactive.id }] })))
        .message,
    ).toMatch(/not active/);

    const limited = await stripe.coupons.create({ percent_off: 50, applies_to: { products: [elsewhere.id] } });
    const notApplicable = await stripeError(
      stripe.subscriptions.update(sub.id, { discounts: [{ coupon: limited.id }] }),
    );
    expect(notApplicable.message).toMatch(/does not apply/);

    const limitedCoupon = await stripe.coupons.create({ percent_off: 5, max_redemptions: 1 });
    await stripe.subscriptions.update(sub.id, { discounts: [{ coupon: limitedCoupon.id }] });
    expect((await stripe.coupons.retrieve(limitedCoupon.id)).valid).toBe(false);
    const couponUsedUp = await stripeError(
      stripe.subscriptions.create({
        customer: other.customer.id,
        items: [{ price: starter.id }],
        discounts: [{ coupon: limitedCoupon.id }],
      }),
    );
    expect(couponUsedUp.code).toBe('coupon_expired');

    // All or nothing: one refused redemption leaves the other unredeemed and the subscription unchanged.
    const before = await stripe.subscriptions.retrieve(sub.id);
    const redeemed = (await stripe.coupons.retrieve(coupon.id)).times_redeemed;
    await stripeError(
      stripe.subscriptions.update(sub.id, { discounts: [{ coupon: coupon.id }, { promotion_code: inactive.id }] }),
    );
    expect((await stripe.coupons.retrieve(coupon.id)).times_redeemed).toBe(redeemed);
    expect((await stripe.subscriptions.retrieve(sub.id)).discounts).toEqual(before.discounts);
    expect(
      (
        await stripeError(
          stripe.invoices.createPreview({ subscription: sub.id, discounts: [{ promotion_code: inactive.id }] }),
        )
      ).message,
    ).toMatch(/not active/);
  });
});
