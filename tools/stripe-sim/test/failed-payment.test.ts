import Stripe from 'stripe';
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

describe('a failing card', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  it('makes the renewal fail (past_due, invoice open, no automatic retry) until a new card pays the invoice', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter } = await createCatalog(stripe, 'dunning');
    const { clock, customer } = await customerOnClock(stripe, start, 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      trial_period_days: 7,
    });
    await advanceClock(stripe, clock.id, start + 7 * DAY + 60);

    const pastDue = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    const invoice = pastDue.latest_invoice as Stripe.Invoice;
    expect(pastDue.status).toBe('past_due');
    expect(invoice).toMatchObject({
      status: 'open',
      attempt_count: 1,
      attempted: true,
      next_payment_attempt: null,
      amount_remaining: 2_900,
    });
    expect(await eventTypes(stripe, invoice.id)).toContain('invoice.payment_failed');

    await advanceClock(stripe, clock.id, start + 20 * DAY);
    expect(await stripe.invoices.retrieve(invoice.id)).toMatchObject({ status: 'open', attempt_count: 1 });

    const retry = stripe.invoices.pay(invoice.id);
    await expect(retry).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await expect(retry).rejects.toMatchObject({ code: 'card_declined', decline_code: 'generic_decline' });

    const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: visa.id } });
    const paid = await stripe.invoices.pay(invoice.id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 2_900 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect(await eventTypes(stripe, sub.id)).toEqual(expect.arrayContaining(['customer.subscription.updated']));
  });

  it('leaves a new subscription incomplete, and error_if_incomplete returns the decline without creating one', async () => {
    const { stripe } = h;
    const { starter } = await createCatalog(stripe, 'incomplete');
    const { customer } = await customerOnClock(stripe, utc(2026, 1, 1), 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    expect(sub.status).toBe('incomplete');
    const before = (await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data.length;
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: starter.id }],
        payment_behavior: 'error_if_incomplete',
      }),
    ).rejects.toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(before);
  });

  it('expires an incomplete subscription after 23 hours', async () => {
    const { stripe } = h;
    const start = utc(2026, 1, 1);
    const { starter } = await createCatalog(stripe, 'expire');
    const { clock, customer } = await customerOnClock(stripe, start, 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await advanceClock(stripe, clock.id, start + DAY);
    const expired = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(expired.status).toBe('incomplete_expired');
    expect((expired.latest_invoice as Stripe.Invoice).status).toBe('void');
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
    ['pm_card_chargeDeclinedLostCard', 'card_declined', 'lost_card'],
  ])('refuses to attach %s with %s / %s', async (pm, code, declineCode) => {
    const customer = await h.stripe.customers.create({});
    await expect(h.stripe.paymentMethods.attach(pm, { customer: customer.id })).rejects.toMatchObject({
      code,
      decline_code: declineCode,
      statusCode: 402,
    });
  });
});
