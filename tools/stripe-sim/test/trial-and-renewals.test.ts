import type Stripe from 'stripe';
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

describe('a subscription with a trial on a test clock', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('moves through trial end and two renewals, billing each period once', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 10);
    const { starter } = await createCatalog(stripe, 'trial');
    const { clock, customer } = await customerOnClock(stripe, start);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      trial_period_days: 14,
      metadata: { org: 'org_1' },
    });
    expect(sub.status).toBe('trialing');
    expect(sub.trial_end).toBe(start + 14 * DAY);
    expect(sub.items.data[0]?.current_period_end).toBe(start + 14 * DAY);

    await advanceClock(stripe, clock.id, start + 12 * DAY);
    expect(await eventTypes(stripe, sub.id)).toContain('customer.subscription.trial_will_end');
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('trialing');

    const trialEnd = start + 14 * DAY;
    await advanceClock(stripe, clock.id, trialEnd + 60);
    const afterTrial = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    const firstPaid = afterTrial.latest_invoice as Stripe.Invoice;
    expect(afterTrial.status).toBe('active');
    expect(afterTrial.items.data[0]?.current_period_start).toBe(trialEnd);
    expect(afterTrial.items.data[0]?.current_period_end).toBe(utc(2026, 2, 24));
    expect(firstPaid).toMatchObject({
      status: 'paid',
      amount_paid: 2_900,
      billing_reason: 'subscription_cycle',
      attempt_count: 1,
    });
    expect(firstPaid.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(firstPaid.lines.data[0]?.pricing?.price_details?.price).toBe(starter.id);

    await advanceClock(stripe, clock.id, utc(2026, 3, 25));
    const invoices = await stripe.invoices.list({ subscription: sub.id, limit: 10 });
    const paidCycles = invoices.data.filter((i) => i.billing_reason === 'subscription_cycle' && i.status === 'paid');
    expect(paidCycles.map((i) => i.period_start).sort()).toEqual([trialEnd, utc(2026, 2, 24), utc(2026, 3, 24)].sort());
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.items.data[0]?.current_period_end).toBe(utc(2026, 4, 24));
    expect(invoices.data.every((i) => i.hosted_invoice_url?.startsWith(h.url) && i.invoice_pdf?.endsWith('/pdf'))).toBe(
      true,
    );
    const pdf = await fetch(invoices.data[0]?.invoice_pdf ?? '');
    expect((await pdf.text()).startsWith('%PDF-1.4')).toBe(true);
    const types = await eventTypes(stripe, paidCycles[0]?.id ?? '');
    expect(types).toEqual(
      expect.arrayContaining(['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']),
    );
  });

  it('cancels at trial end when the customer has no payment method and end_behavior says cancel', async () => {
    const { stripe } = h;
    const start = utc(2026, 2, 1);
    const { starter } = await createCatalog(stripe, 'nopm');
    const { clock, customer } = await customerOnClock(stripe, start, null);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
    });
    await advanceClock(stripe, clock.id, start + 8 * DAY);
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended.status).toBe('canceled');
    expect(ended.ended_at).toBe(start + 7 * DAY);
  });

  it('pauses at trial end without a payment method when end_behavior says pause', async () => {
    const { stripe } = h;
    const start = utc(2026, 2, 1);
    const { starter } = await createCatalog(stripe, 'pause');
    const { clock, customer } = await customerOnClock(stripe, start, null);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      trial_period_days: 7,
      trial_settings: { end_behavior: { missing_payment_method: 'pause' } },
    });
    await advanceClock(stripe, clock.id, start + 40 * DAY);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('paused');
    expect(await eventTypes(stripe, sub.id)).toContain('customer.subscription.paused');
  });
});
