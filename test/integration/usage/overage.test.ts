import Stripe from 'stripe';
import { createStripeSimulator, type StripeSimulator } from '../../../tools/stripe-sim';
import { assertAcceptedByStripeMock, startStripeMock } from '../../../tools/stripe-sim/test/stripe-mock-contract';
import { ingestUsageEvents } from '../../../src/usage/ingest';
import { syncUsageMeters } from '../../../src/usage/meters-sync';
import { reportOverage, type MeterEventsClient } from '../../../src/usage/overage';
import { createTestDb, type TestDb } from '../../helpers/db';
import { event, subscribe, uniqueOrg } from './support';

const DAY = 86_400;

async function advance(stripe: Stripe, clockId: string, frozenTime: number): Promise<void> {
  let clock = await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  for (let i = 0; i < 200 && clock.status !== 'ready'; i++) {
    await new Promise((r) => setTimeout(r, 10));
    clock = await stripe.testHelpers.testClocks.retrieve(clockId);
  }
}

/** Lets the call reach Stripe, then loses the answer: the worst moment for an activity to fail. */
function losingFirstAnswer(stripe: Stripe): MeterEventsClient & { calls: number } {
  const client = {
    calls: 0,
    billing: {
      meterEvents: {
        create: async (...args: Parameters<Stripe['billing']['meterEvents']['create']>) => {
          client.calls += 1;
          const result = await stripe.billing.meterEvents.create(...args);
          if (client.calls === 1) throw new Error('socket hang up');
          return result;
        },
      },
    },
  };
  return client;
}

describe('overage reported to Stripe billing meters (against the Stripe simulator)', () => {
  let t: TestDb;
  let simulator: StripeSimulator;
  let stripe: Stripe;
  beforeAll(async () => {
    t = await createTestDb();
    simulator = createStripeSimulator({ tickMs: 60_000 });
    const { port } = await simulator.listen(0);
    stripe = new Stripe('sk_test_simulator', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  });
  afterAll(async () => {
    const mock = await startStripeMock();
    try {
      // Every request the service sent must also be one real Stripe accepts (stripe-mock validates the shapes).
      await assertAcceptedByStripeMock(mock.url, simulator.requests.all());
    } finally {
      await Promise.all([mock.stop(), simulator.close(), t.destroy()]);
    }
  });

  it('creates the meters and metered prices once', async () => {
    const first = await syncUsageMeters(stripe);
    expect(Object.keys(first.meters).sort()).toEqual(['billing_api_calls', 'billing_messages']);
    // Two plans × two counters × two intervals (a yearly term bills its overage yearly, on the same meters).
    expect(Object.keys(first.prices)).toHaveLength(8);
    expect(Object.keys(first.prices)).toContain('billing_starter_messages_overage_yearly');
    const again = await syncUsageMeters(stripe);
    expect(again.created).toEqual([]);
    expect(again.prices).toEqual(first.prices);
  });

  it('sends each new block once even when retried, and the renewal invoice bills them', async () => {
    const { prices } = await syncUsageMeters(stripe);
    const product = await stripe.products.create({ name: 'Starter' });
    const base = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2_900,
      recurring: { interval: 'month' },
    });
    const start = Math.floor(Date.now() / 1000) - 10 * DAY;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ email: 'owner@example.com', test_clock: clock.id });
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: base.id }, { price: prices.billing_starter_messages_overage ?? '' }],
    });
    const item = sub.items.data[0];
    const period = { start: (item?.current_period_start ?? 0) * 1000, end: (item?.current_period_end ?? 0) * 1000 };

    const org = uniqueOrg();
    await t.db
      .insertInto('billing_customers')
      .values({ organization_id: org, stripe_customer_id: customer.id })
      .execute();
    await subscribe(t.db, org, 'starter', {
      start: new Date(period.start).toISOString(),
      end: new Date(period.end).toISOString(),
    });
    const now = new Date(Date.now() - 60_000).toISOString();
    await ingestUsageEvents({ db: t.db }, [event(org, 'messages', 12_500, now), event(org, 'api_calls', 40_000, now)]);

    const asOf = period.end - 3_600_000;
    await advance(stripe, clock.id, asOf / 1000);
    const flaky = losingFirstAnswer(stripe);
    await expect(reportOverage({ db: t.db, stripe: flaky }, { organizationId: org, period, asOf })).rejects.toThrow(
      'socket hang up',
    );
    // Usage arriving between attempts: the retry first resends the event it had fixed (same identifier,
    // Stripe counts it once), then reports the new blocks as a second event.
    await ingestUsageEvents({ db: t.db }, [event(org, 'messages', 5_000, new Date().toISOString())]);
    const retried = await reportOverage({ db: t.db, stripe: flaky }, { organizationId: org, period, asOf });
    expect(retried).toEqual([
      { metric: 'messages', overUnits: 7_500, blocks: 8, identifier: expect.stringMatching(/^ovg_.*_b8$/), sent: true },
    ]);
    const again = await reportOverage({ db: t.db, stripe: flaky }, { organizationId: org, period, asOf });
    expect(again).toEqual([expect.objectContaining({ blocks: 8, sent: false })]);
    expect(flaky.calls).toBe(3);
    const counted = Object.values(simulator.sim.state.meterUsage).filter((u) => u.customer === customer.id);
    expect(counted.map((u) => u.value).sort()).toEqual([3, 5]);

    await advance(stripe, clock.id, period.end / 1000 + 60);
    const renewal = (await stripe.invoices.list({ subscription: sub.id })).data[0];
    const overageLine = renewal?.lines.data.find(
      (l) => l.pricing?.price_details?.price === prices.billing_starter_messages_overage,
    );
    expect(overageLine).toMatchObject({ quantity: 8, amount: 1_600 });
    expect(renewal?.total).toBe(2_900 + 1_600);
  });

  it('reports nothing for a period within the limits or on a plan without priced overage', async () => {
    const org = uniqueOrg();
    await subscribe(t.db, org, 'starter', { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' });
    const period = { start: Date.parse('2026-03-01T00:00:00Z'), end: Date.parse('2026-04-01T00:00:00Z') };
    const unreachable = {
      billing: { meterEvents: { create: () => Promise.reject(new Error('must not call Stripe')) } },
    };
    expect(await reportOverage({ db: t.db, stripe: unreachable }, { organizationId: org, period })).toEqual([]);
    expect(
      await reportOverage({ db: t.db, stripe: unreachable }, { organizationId: org, period, plan: 'enterprise' }),
    ).toEqual([]);
  });
});
