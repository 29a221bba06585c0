import {
  DAY,
  advanceClock,
  customerOnClock,
  startSimulator,
  utc,
  type SimHarness,
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
} from './support';

describe('metered overage through billing meters', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('bills the period usage in arrears on the renewal invoice, counting each identifier once', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: 'api_calls_overage',
      default_aggregation: { formula: 'sum' },
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' },
    });
    expect((await stripe.billing.meters.list()).data.map((m) => m.id)).toContain(meter.id);
    const product = await stripe.products.create({ name: 'Pro with overage' });
    const base = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 9_900,
      recurring: { interval: 'month' },
    });
    const overage = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2,
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: base.id }, { price: overage.id }],
    });

    await advanceClock(stripe, clock.id, start + 10 * DAY);
    const report = (identifier: string, value: number) =>
      stripe.billing.meterEvents.create({
        event_name: 'api_calls_overage',
        identifier,
        payload: { stripe_customer_id: customer.id, value: String(value) },
      });
    await report('org1-2026-01-10', 1_200);
    await report('org1-2026-01-10', 1_200);
    await report('org1-2026-01-11', 300);
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: start,
      end_time: utc(2026, 2, 1),
    });
    expect(summaries.data).toEqual([
      expect.objectContaining({ object: 'billing.meter_event_summary', aggregated_value: 1_500, meter: meter.id }),
    ]);
    await expect(
      stripe.billing.meters.listEventSummaries(meter.id, { customer: customer.id, start_time: start, end_time: start }),
    ).rejects.toMatchObject({ param: 'end_time' });
    await expect(
      stripe.billing.meterEvents.create({
        event_name: 'unknown_meter',
        payload: { stripe_customer_id: customer.id, value: '1' },
      }),
    ).rejects.toMatchObject({ param: 'event_name' });

    await advanceClock(stripe, clock.id, utc(2026, 2, 1) + 60);
    const renewal = (await stripe.invoices.list({ subscription: sub.id })).data[0];
    const usageLine = renewal?.lines.data.find((l) => l.pricing?.price_details?.price === overage.id);
    expect(usageLine).toMatchObject({ quantity: 1_500, amount: 3_000, period: { start, end: utc(2026, 2, 1) } });
    expect(renewal?.total).toBe(9_900 + 3_000);
  });
});
