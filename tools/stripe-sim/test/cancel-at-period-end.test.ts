import {
  DAY,
  advanceClock,
  createCatalog,
  customerOnClock,
  eventTypes,
  startSimulator,
  utc,
  type SimHarness,
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
} from './support';

describe('cancel at period end', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('keeps the subscription active until the period ends, then ends it on time without billing again', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter } = await createCatalog(stripe, 'cancel');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await advanceClock(stripe, clock.id, start + 5 * DAY);
    const scheduled = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(scheduled).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: utc(2026, 2, 1),
      canceled_at: start + 5 * DAY,
    });

    await advanceClock(stripe, clock.id, utc(2026, 2, 1) - 60);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    await advanceClock(stripe, clock.id, utc(2026, 2, 3));
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: utc(2026, 2, 1) });
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    expect(await eventTypes(stripe, sub.id)).toContain('customer.subscription.deleted');
  });

  it('can be undone before the period ends, and then renews', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter } = await createCatalog(stripe, 'resume');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    const resumed = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
    expect(resumed).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    await advanceClock(stripe, clock.id, utc(2026, 2, 2));
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(2);
  });

  it('cancels immediately on delete', async () => {
    const { stripe } = h;
    const { starter } = await createCatalog(stripe, 'now');
    const { customer } = await customerOnClock(stripe, utc(2026, 1, 1));
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled).toMatchObject({ status: 'canceled', ended_at: utc(2026, 1, 1) });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data).toHaveLength(1);
  });
});
