import type Stripe from 'stripe';
import { DAY, advanceClock, createCatalog, startSimulator, utc, type SimHarness } from './support';

/**
 * One clock, several customers with their own dates: an advance moves them all, one action at a time in time order
 * across customers, as Stripe does (the engine works out each subscription's next action again only for the
 * customer an action belonged to).
 */
describe('a test clock with several customers', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(() => h.simulator.close());

  it('runs every customer through its trial end and renewals, the events in time order across customers', async () => {
    const { stripe } = h;
    const start = utc(2026, 4, 1);
    const { starter } = await createCatalog(stripe, 'many');
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const trialDays = [9, 3, 6, 3, 12];
    const subs: Stripe.Subscription[] = [];
    for (const days of trialDays) {
      const customer = await stripe.customers.create({ test_clock: clock.id });
      const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
      await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
      subs.push(
        await stripe.subscriptions.create({
          customer: customer.id,
          items: [{ price: starter.id }],
          trial_period_days: days,
        }),
      );
    }

    await advanceClock(stripe, clock.id, start + 75 * DAY);

    const events = (await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1_000 })).reverse();
    const ids = new Set(subs.map((s) => s.id));
    const mine = events.filter((e) => {
      const object = e.data.object as { id?: string; parent?: { subscription_details?: { subscription?: string } } };
      return ids.has(object.id ?? '') || ids.has(object.parent?.subscription_details?.subscription ?? '');
    });
    const created = mine.map((e) => e.created);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    // Each customer's renewal was billed at its own dates: trial end, then a month later, then another.
    for (const [i, sub] of subs.entries()) {
      const now = await stripe.subscriptions.retrieve(sub.id);
      expect(now.status).toBe('active');
      const paid = await stripe.invoices.list({ subscription: sub.id, status: 'paid', limit: 10 });
      const trialEnd = start + (trialDays[i] as number) * DAY;
      expect(paid.data.map((inv) => inv.period_start ?? 0).filter((p) => p >= trialEnd).length).toBeGreaterThanOrEqual(
        2,
      );
      expect(now.items.data[0]?.current_period_start).toBeGreaterThan(trialEnd);
    }
  });
});
