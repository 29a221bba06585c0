import {
  DAY,
  advanceClock,
  customerOnClock,
  eventTypes,
  startSimulator,
  utc,
  type SimHarness,
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
} from './support';

/**
 * docs.stripe.com/invoicing/send-invoice (collection_method=send_invoice): invoices are finalized and emailed, due
 * days_until_due later, never charged; docs.stripe.com/api/events/types: invoice.overdue once a sent invoice passes
 * its due date unpaid.
 */
describe('collection by invoice (send_invoice)', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('is active at once without a card; each invoice is sent, due after the net terms, overdue when unpaid, paid out of band', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { clock, customer } = await customerOnClock(stripe, start);
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 500_000,
      recurring: { interval: 'month' },
      product_data: { name: 'Enterprise contract (org_sim)' },
      metadata: { plan: 'enterprise' },
    });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      collection_method: 'send_invoice',
      days_until_due: 14,
      expand: ['latest_invoice'],
    });
    expect(sub).toMatchObject({ status: 'active', collection_method: 'send_invoice', days_until_due: 14 });
    const first = sub.latest_invoice as { id: string; status: string; due_date: number; attempt_count: number };
    expect(first).toMatchObject({ status: 'open', due_date: start + 14 * DAY, attempt_count: 0 });
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        collection_method: 'send_invoice',
      }),
    ).rejects.toThrow(/days_until_due/);

    await advanceClock(stripe, clock.id, start + 15 * DAY);
    expect(await eventTypes(stripe, first.id)).toEqual(expect.arrayContaining(['invoice.sent', 'invoice.overdue']));
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');

    const paid = await stripe.invoices.pay(first.id, { paid_out_of_band: true });
    expect(paid.status).toBe('paid');
    await advanceClock(stripe, clock.id, utc(2026, 2, 2));
    const [renewal] = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'open', attempt_count: 0 });
    expect(renewal!.due_date).toBe(utc(2026, 2, 1) + 14 * DAY);
  });
});
