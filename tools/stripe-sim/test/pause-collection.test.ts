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

/** docs.stripe.com/billing/subscriptions/pause-payment: the subscription stays active, renewals are not collected. */
describe('pause_collection', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  const renewalsOf = async (subscription: string) =>
    (await h.stripe.invoices.list({ subscription })).data
      .filter((i) => i.billing_reason === 'subscription_cycle')
      .map((i) => [i.status, i.attempt_count]);

  it.each([
    ['void', 'void'],
    ['mark_uncollectible', 'uncollectible'],
    ['keep_as_draft', 'draft'],
  ] as const)(
    'behavior %s: the subscription stays active and its renewal is %s, never attempted',
    async (behavior, status) => {
      const { stripe } = h;
      const start = utc(2026, 1, 1);
      const { starter } = await createCatalog(stripe, `pause-${behavior}`);
      const { clock, customer } = await customerOnClock(stripe, start);
      const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
      const paused = await stripe.subscriptions.update(sub.id, { pause_collection: { behavior } });
      expect(paused).toMatchObject({ status: 'active', pause_collection: { behavior, resumes_at: null } });

      await advanceClock(stripe, clock.id, utc(2026, 2, 2));
      const renewed = await stripe.subscriptions.retrieve(sub.id);
      expect(renewed.status).toBe('active');
      expect(renewed.items.data[0]!.current_period_start).toBe(utc(2026, 2, 1));
      expect(await renewalsOf(sub.id)).toEqual([[status, 0]]);
      expect(await eventTypes(stripe, sub.id)).not.toContain('invoice.upcoming');

      // Cleared: the next renewal is collected again.
      const resumed = await stripe.subscriptions.update(sub.id, { pause_collection: '' });
      expect(resumed.pause_collection).toBeNull();
      await advanceClock(stripe, clock.id, utc(2026, 3, 2));
      expect(await renewalsOf(sub.id)).toEqual([
        ['paid', 1],
        [status, 0],
      ]);
    },
  );

  it('resumes by itself at resumes_at, and the renewal after it is collected', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter } = await createCatalog(stripe, 'pause-until');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const resumesAt = utc(2026, 2, 15);
    await stripe.subscriptions.update(sub.id, { pause_collection: { behavior: 'void', resumes_at: resumesAt } });
    await advanceClock(stripe, clock.id, resumesAt + DAY);
    expect((await stripe.subscriptions.retrieve(sub.id)).pause_collection).toBeNull();
    await advanceClock(stripe, clock.id, utc(2026, 3, 2));
    expect(await renewalsOf(sub.id)).toEqual([
      ['paid', 1],
      ['void', 0],
    ]);
    expect(await eventTypes(stripe, sub.id)).toContain('customer.subscription.updated');
  });
});
