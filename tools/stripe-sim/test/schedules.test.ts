import type Stripe from 'stripe';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  DAY,
  advanceClock,
  closeCheckingContract,
  customerOnClock,
  eventTypes,
  startSimulator,
  utc,
  type SimHarness,
} from './support';

/** A catalog with both intervals, a per-seat price and a metered overage price on one meter per interval. */
async function catalog(stripe: Stripe, suffix: string) {
  const product = await stripe.products.create({ name: `Plan ${suffix}` });
  const seat = await stripe.products.create({ name: `Seat ${suffix}` });
  const meter = await stripe.billing.meters.create({
    display_name: `Messages ${suffix}`,
    event_name: `messages_${suffix}`,
    default_aggregation: { formula: 'sum' },
  });
  const price = (unit_amount: number, interval: 'month' | 'year', p = product.id) =>
    stripe.prices.create({ product: p, currency: 'usd', unit_amount, recurring: { interval } });
  const metered = (unit_amount: number, interval: 'month' | 'year') =>
    stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount,
      recurring: { interval, usage_type: 'metered', meter: meter.id },
    });
  return {
    meter,
    proMonthly: await price(9_900, 'month'),
    starterMonthly: await price(2_900, 'month'),
    starterYearly: await price(29_000, 'year'),
    seatMonthly: await price(800, 'month', seat.id),
    seatYearly: await price(8_000, 'year', seat.id),
    proOverage: await metered(150, 'month'),
    starterOverage: await metered(200, 'month'),
    starterOverageYearly: await metered(200, 'year'),
  };
}

const lines = (invoice: Stripe.Invoice) =>
  invoice.lines.data.map((l) => ({ price: l.pricing?.price_details?.price, amount: l.amount, quantity: l.quantity }));

describe('subscription schedules, quantities and intervals', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('switches the items at the period end: the ended period’s usage at the old rate, the new period at the new price', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const c = await catalog(stripe, 'sched');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: c.proMonthly.id }, { price: c.proOverage.id }],
    });
    await advanceClock(stripe, clock.id, start + 10 * DAY);
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    expect(schedule).toMatchObject({ status: 'active', subscription: sub.id, end_behavior: 'release' });
    expect(schedule.phases).toHaveLength(1);
    const updated = await stripe.subscriptionSchedules.update(schedule.id, {
      end_behavior: 'release',
      proration_behavior: 'none',
      phases: [
        {
          items: [{ price: c.proMonthly.id, quantity: 1 }, { price: c.proOverage.id }],
          start_date: schedule.phases[0]!.start_date,
          end_date: utc(2026, 2, 1),
          proration_behavior: 'none',
        },
        {
          items: [{ price: c.starterMonthly.id, quantity: 1 }, { price: c.starterOverage.id }],
          duration: { interval: 'month', interval_count: 1 },
          proration_behavior: 'none',
        },
      ],
    });
    expect(updated.phases.map((p) => [p.start_date, p.end_date])).toEqual([
      [start, utc(2026, 2, 1)],
      [utc(2026, 2, 1), utc(2026, 3, 1)],
    ]);
    expect((await stripe.subscriptions.retrieve(sub.id)).schedule).toBe(schedule.id);
    await advanceClock(stripe, clock.id, start + 20 * DAY);
    await stripe.billing.meterEvents.create({
      event_name: 'messages_sched',
      identifier: 'sched-1',
      payload: { stripe_customer_id: customer.id, value: '4' },
    });

    await advanceClock(stripe, clock.id, utc(2026, 2, 1) + 60);
    const renewed = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(renewed.items.data.map((i) => i.price.id).sort()).toEqual([c.starterMonthly.id, c.starterOverage.id].sort());
    const invoice = renewed.latest_invoice as Stripe.Invoice;
    expect(lines(invoice)).toEqual(
      expect.arrayContaining([
        { price: c.starterMonthly.id, amount: 2_900, quantity: 1 },
        { price: c.proOverage.id, amount: 4 * 150, quantity: 4 },
      ]),
    );
    expect(invoice.amount_due).toBe(2_900 + 600);
    // The last phase runs to its end, then the schedule releases and the subscription keeps renewing on starter.
    await advanceClock(stripe, clock.id, utc(2026, 3, 1) + 60);
    expect(await stripe.subscriptionSchedules.retrieve(schedule.id)).toMatchObject({
      status: 'released',
      released_subscription: sub.id,
    });
    expect((await stripe.subscriptions.retrieve(sub.id)).schedule).toBeNull();
    expect(await eventTypes(stripe, schedule.id)).toEqual(
      expect.arrayContaining(['subscription_schedule.created', 'subscription_schedule.released']),
    );
  });

  it('a released schedule leaves the subscription as it was', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const c = await catalog(stripe, 'release');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: c.proMonthly.id }] });
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: sub.id });
    await stripe.subscriptionSchedules.update(schedule.id, {
      phases: [
        { items: [{ price: c.proMonthly.id, quantity: 1 }], start_date: start, end_date: utc(2026, 2, 1) },
        { items: [{ price: c.starterMonthly.id, quantity: 1 }], duration: { interval: 'month', interval_count: 1 } },
      ],
    });
    await expect(stripe.subscriptions.update(sub.id, { cancel_at_period_end: true })).rejects.toThrow(
      /managed by the subscription schedule/,
    );
    expect(await stripe.subscriptionSchedules.release(schedule.id, { preserve_cancel_date: true })).toMatchObject({
      status: 'released',
      subscription: null,
    });
    await advanceClock(stripe, clock.id, utc(2026, 2, 1) + 60);
    const renewed = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(renewed.items.data.map((i) => i.price.id)).toEqual([c.proMonthly.id]);
    expect((renewed.latest_invoice as Stripe.Invoice).amount_due).toBe(9_900);
  });

  it('monthly → yearly resets the billing cycle now: unused month credited, the year billed, usage so far in arrears', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const c = await catalog(stripe, 'yearly');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: c.starterMonthly.id }, { price: c.seatMonthly.id, quantity: 2 }, { price: c.starterOverage.id }],
    });
    const at = start + 10 * DAY;
    await advanceClock(stripe, clock.id, at);
    const [plan, seat, metered] = sub.items.data;
    const items = [
      { id: plan!.id, price: c.starterYearly.id },
      { id: seat!.id, price: c.seatYearly.id, quantity: 2 },
      { id: metered!.id, price: c.starterOverageYearly.id },
    ];
    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      subscription_details: { items, proration_behavior: 'always_invoice' },
    });
    const changed = await stripe.subscriptions.update(sub.id, {
      items,
      proration_behavior: 'always_invoice',
      payment_behavior: 'pending_if_incomplete',
      expand: ['latest_invoice'],
    });
    const invoice = changed.latest_invoice as Stripe.Invoice;
    const unused = (31 - 10) / 31;
    const credit = -Math.round(2_900 * unused) - Math.round(1_600 * unused);
    expect(invoice).toMatchObject({ status: 'paid', billing_reason: 'subscription_update' });
    expect(invoice.amount_paid).toBe(29_000 + 16_000 + credit);
    expect(preview.amount_due).toBe(invoice.amount_paid);
    expect(changed.billing_cycle_anchor).toBe(at);
    expect(changed.items.data[0]).toMatchObject({ current_period_start: at, current_period_end: utc(2027, 1, 11) });
  });

  it('quantities prorate: two more seats now are charged for the rest of the period', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const c = await catalog(stripe, 'seats');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: c.starterMonthly.id }, { price: c.seatMonthly.id, quantity: 1 }],
    });
    await advanceClock(stripe, clock.id, start + 10 * DAY);
    const changed = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[1]!.id, price: c.seatMonthly.id, quantity: 3 }],
      proration_behavior: 'always_invoice',
      payment_behavior: 'pending_if_incomplete',
      expand: ['latest_invoice'],
    });
    const unused = (31 - 10) / 31;
    expect((changed.latest_invoice as Stripe.Invoice).amount_paid).toBe(
      Math.round(2_400 * unused) - Math.round(800 * unused),
    );
    await advanceClock(stripe, clock.id, utc(2026, 2, 1) + 60);
    const renewed = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect((renewed.latest_invoice as Stripe.Invoice).amount_due).toBe(2_900 + 3 * 800);
  });
});
