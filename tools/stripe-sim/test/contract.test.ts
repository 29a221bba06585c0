import { DAY, advanceClock, createCatalog, customerOnClock, startSimulator, utc, type SimHarness } from './support';
import {
  assertAcceptedByStripeMock,
  rejectedByStripeMock,
  startStripeMock,
  type StripeMock,
} from './stripe-mock-contract';

/** Every request shape the simulator's own scenarios use, in one flow. */
async function exerciseEveryEndpoint({ stripe }: SimHarness): Promise<void> {
  const start = utc(2026, 1, 1);
  const meter = await stripe.billing.meters.create({
    display_name: 'Messages',
    event_name: 'messages_overage',
    default_aggregation: { formula: 'sum' },
  });
  await stripe.billing.meters.retrieve(meter.id);
  await stripe.billing.meters.list({ limit: 5 });
  const { product, starter, pro } = await createCatalog(stripe, 'contract');
  await stripe.products.update(product.id, { metadata: { plan: 'starter' } });
  await stripe.products.retrieve(product.id);
  await stripe.products.list({ active: true });
  const metered = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 1,
    recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
  });
  await stripe.prices.update(pro.id, { lookup_key: 'pro_contract_v2', transfer_lookup_key: true });
  await stripe.prices.list({ lookup_keys: ['starter_contract'], expand: ['data.product'] });
  await stripe.prices.retrieve(starter.id);
  const endpoint = await stripe.webhookEndpoints.create({
    url: 'http://127.0.0.1:9/hooks',
    enabled_events: ['invoice.paid', 'customer.subscription.updated'],
  });
  await stripe.webhookEndpoints.update(endpoint.id, { disabled: true });
  await stripe.webhookEndpoints.list();
  const { clock, customer, paymentMethod } = await customerOnClock(stripe, start);
  await stripe.customers.update(customer.id, { metadata: { organization_id: 'org_contract' }, name: 'Contract Org' });
  await stripe.customers.update(customer.id, {
    email: 'billing@contract.example',
    name: 'Contract GmbH',
    address: { line1: 'Friedrichstraße 68', line2: '', city: 'Berlin', postal_code: '10117', state: '', country: 'DE' },
  });
  const taxId = await stripe.customers.createTaxId(customer.id, { type: 'eu_vat', value: 'DE123456789' });
  await stripe.customers.listTaxIds(customer.id, { limit: 100 });
  await stripe.customers.retrieveTaxId(customer.id, taxId.id);
  await stripe.customers.deleteTaxId(customer.id, taxId.id);
  await stripe.customers.update(customer.id, { name: '', address: '' });
  await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] });
  await stripe.customers.list({ email: 'owner@example.com', limit: 3 });
  await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
  const sub = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: starter.id }, { price: metered.id }],
    trial_period_days: 14,
    default_payment_method: paymentMethod ?? undefined,
    payment_behavior: 'default_incomplete',
    metadata: { organization_id: 'org_contract' },
    trial_settings: { end_behavior: { missing_payment_method: 'cancel' } },
    payment_settings: { save_default_payment_method: 'on_subscription' },
    expand: ['latest_invoice'],
  });
  await stripe.billing.meterEvents.create({
    event_name: 'messages_overage',
    identifier: 'contract-1',
    payload: { stripe_customer_id: customer.id, value: '10' },
  });
  await advanceClock(stripe, clock.id, start + 20 * DAY);
  const itemId = sub.items.data[0]?.id ?? '';
  await stripe.invoices.createPreview({
    customer: customer.id,
    subscription: sub.id,
    subscription_details: {
      items: [{ id: itemId, price: pro.id }],
      proration_date: start + 20 * DAY,
      proration_behavior: 'always_invoice',
    },
  });
  await stripe.subscriptions.update(sub.id, {
    items: [{ id: itemId, price: pro.id }],
    proration_behavior: 'always_invoice',
    payment_behavior: 'pending_if_incomplete',
  });
  await stripe.subscriptions.update(sub.id, {
    cancel_at_period_end: true,
    cancellation_details: { comment: 'too expensive', feedback: 'too_expensive' },
  });
  await stripe.subscriptions.update(sub.id, { cancel_at_period_end: false });
  await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice', 'default_payment_method'] });
  await stripe.subscriptions.list({ customer: customer.id, status: 'all', limit: 10 });
  const invoices = await stripe.invoices.list({ customer: customer.id, subscription: sub.id, limit: 10 });
  await stripe.invoices.retrieve(invoices.data[0]?.id ?? '');
  const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
  await stripe.paymentMethods.detach(failing.id);
  await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
  await stripe.events.list({ type: 'invoice.paid', limit: 5 });
  const event = (await stripe.events.list({ limit: 1 })).data[0];
  await stripe.events.retrieve(event?.id ?? '');
  await stripe.subscriptions.cancel(sub.id, { invoice_now: true, prorate: true });
  await stripe.testHelpers.testClocks.retrieve(clock.id);
  await stripe.testHelpers.testClocks.list();
  await stripe.testHelpers.testClocks.del(clock.id);
  await stripe.webhookEndpoints.del(endpoint.id);
}

describe("the simulator against stripe-mock (Stripe's OpenAPI contract)", () => {
  let h: SimHarness;
  let mock: StripeMock;
  // stripe-mock loads Stripe's whole OpenAPI document at start: seconds on a busy machine.
  beforeAll(async () => {
    [h, mock] = await Promise.all([startSimulator(), startStripeMock()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([h?.simulator.close(), mock?.stop()]);
  });

  it('sends only requests that stripe-mock also accepts', async () => {
    await exerciseEveryEndpoint(h);
    const requests = h.simulator.requests.all();
    expect(requests.length).toBeGreaterThan(40);
    await assertAcceptedByStripeMock(mock.url, requests);
  }, 60_000);

  it('fails the contract for a request with a parameter Stripe does not know', async () => {
    const wrong = {
      method: 'POST',
      path: '/v1/subscriptions',
      query: '',
      body: 'customer=cus_1&items[0][price]=price_1&trial_days=14',
    };
    const rejected = await rejectedByStripeMock(mock.url, [wrong]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      status: 400,
      message: expect.stringMatching(/additional properties are not allowed/),
    });
    await expect(
      assertAcceptedByStripeMock(mock.url, [
        { ...wrong, requestId: 'req_x', idempotencyKey: null, stripeVersion: null, status: 200, at: '' },
      ]),
    ).rejects.toThrow(/trial_days/);
  });
});
