import Stripe from 'stripe';
import {
  DAY,
  advanceClock,
  closeCheckingContract,
  CONTRACT_CHECK_TIMEOUT_MS,
  createCatalog,
  customerOnClock,
  eventTypes,
  startSimulator,
  utc,
  type SimHarness,
} from './support';

describe('payments that need the customer (3-D Secure)', () => {
  let h: SimHarness;
  let price: Stripe.Price;
  beforeAll(async () => {
    h = await startSimulator();
    ({ starter: price } = await createCatalog(h.stripe, '3ds'));
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  const authenticate = async (
    kind: 'payment_intents' | 'setup_intents',
    id: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${h.url}/_sim/${kind}/${id}/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const intentOf = async (invoiceId: string): Promise<Stripe.PaymentIntent> => {
    const invoice = await h.stripe.invoices.retrieve(invoiceId, { expand: ['payments.data.payment.payment_intent'] });
    return invoice.payments?.data[0]?.payment.payment_intent as Stripe.PaymentIntent;
  };

  it('takes a PaymentIntent from requires_payment_method through requires_action to succeeded, with its events and charge', async () => {
    const customer = await h.stripe.customers.create({});
    const created = await h.stripe.paymentIntents.create({ amount: 2_500, currency: 'eur', customer: customer.id });
    expect(created).toMatchObject({
      status: 'requires_payment_method',
      client_secret: expect.stringMatching(new RegExp(`^${created.id}_secret_`)),
    });
    const acting = await h.stripe.paymentIntents.confirm(created.id, {
      payment_method: 'pm_card_authenticationRequired',
      return_url: 'https://app.example/return',
    });
    expect(acting).toMatchObject({
      status: 'requires_action',
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: {
          return_url: 'https://app.example/return',
          url: expect.stringContaining(`/_sim/authenticate/${created.id}`),
        },
      },
    });
    const page = await fetch(acting.next_action?.redirect_to_url?.url ?? '');
    expect(page.status).toBe(200);

    const done = await authenticate('payment_intents', created.id, { outcome: 'succeed' });
    expect(done).toMatchObject({ status: 200, body: { status: 'succeeded', amount_received: 2_500 } });
    const retrieved = await h.stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge'] });
    expect(retrieved.latest_charge).toMatchObject({ object: 'charge', status: 'succeeded', paid: true, amount: 2_500 });
    expect(await eventTypes(h.stripe, created.id)).toEqual([
      'payment_intent.created',
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
    expect((await h.stripe.paymentIntents.list({ customer: customer.id })).data.map((p) => p.id)).toEqual([created.id]);
    await expect(h.stripe.paymentIntents.cancel(created.id)).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_intent_unexpected_state',
    });
  });

  it('leaves requires_payment_method with payment_intent_authentication_failure when the customer fails the challenge, and can be canceled', async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 900,
      currency: 'eur',
      payment_method: 'pm_card_threeDSecure2Required',
      confirm: true,
    });
    expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    const failed = await authenticate('payment_intents', pi.id, { outcome: 'fail' });
    expect(failed.body).toMatchObject({
      status: 'requires_payment_method',
      last_payment_error: { code: 'payment_intent_authentication_failure', type: 'invalid_request_error' },
    });
    expect(await eventTypes(h.stripe, pi.id)).toContain('payment_intent.payment_failed');
    const canceled = await h.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
  });

  it('refuses an authenticate request with a bad body, an unknown intent, or an intent not waiting for the customer', async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 900,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    expect(pi.status).toBe('succeeded');
    expect(await authenticate('payment_intents', pi.id, { outcome: 'maybe' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('{"outcome":"succeed"}') },
    });
    expect(await authenticate('payment_intents', pi.id, 'not json')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('body must be JSON') },
    });
    expect(await authenticate('payment_intents', pi.id, {})).toMatchObject({ status: 400 });
    expect(await authenticate('payment_intents', 'pi_missing', { outcome: 'succeed' })).toMatchObject({ status: 404 });
    expect(await authenticate('setup_intents', 'seti_missing', { outcome: 'succeed' })).toMatchObject({ status: 404 });
    expect(await authenticate('payment_intents', pi.id, { outcome: 'succeed' })).toMatchObject({
      status: 409,
      body: { error: expect.stringContaining('succeeded') },
    });
  });

  it('sets up pm_card_authenticationRequiredOnSetup with an authenticated SetupIntent, after which off-session payments and renewals need no action', async () => {
    const start = utc(2026, 3, 1);
    const { clock, customer } = await customerOnClock(h.stripe, start, null);
    const si = await h.stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequiredOnSetup',
      confirm: true,
      usage: 'off_session',
    });
    expect(si).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'use_stripe_sdk' },
      client_secret: expect.stringMatching(/^seti_.+_secret_/),
    });
    const done = await authenticate('setup_intents', si.id, { outcome: 'succeed' });
    expect(done.body).toMatchObject({ status: 'succeeded' });
    const pmId = (await h.stripe.setupIntents.retrieve(si.id)).payment_method as string;
    expect((await h.stripe.paymentMethods.retrieve(pmId)).customer).toBe(customer.id);
    expect(await eventTypes(h.stripe, si.id)).toEqual([
      'setup_intent.created',
      'setup_intent.requires_action',
      'setup_intent.succeeded',
    ]);
    expect((await h.stripe.setupIntents.list({ customer: customer.id })).data).toHaveLength(1);

    await expect(
      h.stripe.paymentIntents.create({
        amount: 500,
        currency: 'eur',
        customer: customer.id,
        payment_method: pmId,
        confirm: true,
        off_session: true,
      }),
    ).resolves.toMatchObject({ status: 'succeeded' });
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pmId } });
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
      off_session: true,
    });
    await advanceClock(h.stripe, clock.id, start + 7 * DAY + 60);
    const renewed = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(renewed.status).toBe('active');
    expect((renewed.latest_invoice as Stripe.Invoice).status).toBe('paid');
  });

  it('records a failed SetupIntent challenge as setup_intent_authentication_failure and setup_intent.setup_failed; a declining card answers 402', async () => {
    const customer = await h.stripe.customers.create({});
    const si = await h.stripe.setupIntents.create({
      customer: customer.id,
      payment_method: 'pm_card_authenticationRequired',
      confirm: true,
    });
    const failed = await authenticate('setup_intents', si.id, { outcome: 'fail' });
    expect(failed.body).toMatchObject({
      status: 'requires_payment_method',
      last_setup_error: { code: 'setup_intent_authentication_failure' },
    });
    expect(await eventTypes(h.stripe, si.id)).toContain('setup_intent.setup_failed');
    await expect(h.stripe.setupIntents.cancel(si.id)).resolves.toMatchObject({ status: 'canceled' });
    await expect(
      h.stripe.setupIntents.create({
        customer: customer.id,
        payment_method: 'pm_card_visa_chargeDeclined',
        confirm: true,
      }),
    ).rejects.toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
  });

  it("subscribes with default_incomplete: incomplete, the invoice's confirmation_secret, then confirmation → requires_action → authenticated → active", async () => {
    const { customer, paymentMethod } = await customerOnClock(
      h.stripe,
      utc(2026, 3, 1),
      'pm_card_authenticationRequired',
    );
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice.confirmation_secret'],
    });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(sub.status).toBe('incomplete');
    const pi = await intentOf(invoice.id);
    expect(invoice.confirmation_secret?.client_secret).toBe(pi.client_secret);
    const acting = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: paymentMethod ?? '' });
    expect(acting.status).toBe('requires_action');
    await authenticate('payment_intents', pi.id, { outcome: 'succeed' });
    expect((await h.stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('subscribes with allow_incomplete: incomplete with requires_action; unpaid for 23 hours on the test clock it expires, its invoice voided and payment canceled', async () => {
    const start = utc(2026, 3, 1);
    const { clock, customer } = await customerOnClock(h.stripe, start, 'pm_card_authenticationRequired');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      payment_behavior: 'allow_incomplete',
    });
    expect(sub.status).toBe('incomplete');
    const invoiceId = sub.latest_invoice as string;
    expect((await intentOf(invoiceId)).status).toBe('requires_action');

    await advanceClock(h.stripe, clock.id, start + 23 * 60 * 60 - 60);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete');
    await advanceClock(h.stripe, clock.id, start + 23 * 60 * 60 + 60);
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete_expired');
    expect((await h.stripe.invoices.retrieve(invoiceId)).status).toBe('void');
    expect(await intentOf(invoiceId)).toMatchObject({ status: 'canceled', cancellation_reason: 'void_invoice' });
  });

  it('leaves an off-session renewal with an authentication card open with requires_action and invoice.payment_action_required; paying it after authentication makes the subscription active', async () => {
    const start = utc(2026, 3, 1);
    const { clock, customer } = await customerOnClock(h.stripe, start, 'pm_card_authenticationRequired');
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      trial_period_days: 7,
    });
    await advanceClock(h.stripe, clock.id, start + 7 * DAY + 60);
    const pastDue = await h.stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    const invoice = pastDue.latest_invoice as Stripe.Invoice;
    expect(pastDue.status).toBe('past_due');
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, billing_reason: 'subscription_cycle' });
    const pi = await intentOf(invoice.id);
    expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    expect(await eventTypes(h.stripe, invoice.id)).toEqual(
      expect.arrayContaining(['invoice.payment_failed', 'invoice.payment_action_required']),
    );

    // Blind retries do not help: paying off session again still needs the customer.
    await expect(h.stripe.invoices.pay(invoice.id)).rejects.toMatchObject({
      statusCode: 402,
      code: 'invoice_payment_intent_requires_action',
    });
    await authenticate('payment_intents', pi.id, { outcome: 'succeed' });
    expect((await h.stripe.invoices.retrieve(invoice.id)).status).toBe('paid');
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect(await eventTypes(h.stripe, pi.id)).toEqual(
      expect.arrayContaining(['payment_intent.requires_action', 'payment_intent.succeeded']),
    );
  });

  it('declines a direct off-session payment that needs authentication with authentication_required, and error_on_requires_action on session with authentication_not_handled', async () => {
    const { customer, paymentMethod } = await customerOnClock(
      h.stripe,
      utc(2026, 3, 1),
      'pm_card_authenticationRequired',
    );
    await expect(
      h.stripe.paymentIntents.create({
        amount: 700,
        currency: 'eur',
        customer: customer.id,
        payment_method: paymentMethod ?? '',
        confirm: true,
        off_session: true,
      }),
    ).rejects.toMatchObject({
      statusCode: 402,
      code: 'authentication_required',
      decline_code: 'authentication_required',
    });
    await expect(
      h.stripe.paymentIntents.create({
        amount: 700,
        currency: 'eur',
        customer: customer.id,
        payment_method: paymentMethod ?? '',
        confirm: true,
        error_on_requires_action: true,
      }),
    ).rejects.toMatchObject({
      statusCode: 402,
      code: 'authentication_required',
      decline_code: 'authentication_not_handled',
    });
    const charges = Object.values(h.simulator.sim.state.charges).filter((c) => c.customer === customer.id);
    expect(charges.map((c) => c.status)).toEqual(['failed', 'failed']);
  });

  it('sends advice_code imposed on a saved card through the decline control path', async () => {
    const { customer, paymentMethod } = await customerOnClock(h.stripe, utc(2026, 3, 1), 'pm_card_visa');
    const res = await fetch(`${h.url}/_sim/payment_methods/${paymentMethod ?? ''}/decline`, {
      method: 'POST',
      body: JSON.stringify({ declineCode: 'do_not_honor', adviceCode: 'do_not_try_again' }),
    });
    expect(res.status).toBe(200);
    const error = await h.stripe.paymentIntents
      .create({
        amount: 700,
        currency: 'eur',
        customer: customer.id,
        payment_method: paymentMethod ?? '',
        confirm: true,
        off_session: true,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'card_declined',
      decline_code: 'do_not_honor',
      raw: expect.objectContaining({ advice_code: 'do_not_try_again' }),
    });
  });

  it('lets a browser drive a SetupIntent with the publishable key and client secret, through the challenge page back to its return_url', async () => {
    const customer = await h.stripe.customers.create({});
    const created = await h.stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
    const browser = (path: string, init: { method?: string; form?: Record<string, string> } = {}) =>
      fetch(`${h.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          Authorization: 'Bearer pk_test_simulator',
          Origin: 'http://billing.example',
          ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      });
    const preflight = await fetch(`${h.url}/v1/setup_intents/${created.id}/confirm`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');

    const confirmed = await browser(`/v1/setup_intents/${created.id}/confirm`, {
      method: 'POST',
      form: {
        client_secret: created.client_secret ?? '',
        payment_method: 'pm_card_threeDSecure2Required',
        return_url: 'http://billing.example/billing/payment-method',
      },
    });
    expect(confirmed.headers.get('access-control-allow-origin')).toBe('*');
    const acting = (await confirmed.json()) as Stripe.SetupIntent;
    expect(acting).toMatchObject({ status: 'requires_action', next_action: { type: 'redirect_to_url' } });

    const page = await (await fetch(acting.next_action?.redirect_to_url?.url ?? '')).text();
    expect(page).toContain('Complete authentication');
    const submitted = await fetch(`${h.url}/_sim/authenticate/${created.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'outcome=succeed',
      redirect: 'manual',
    });
    expect(submitted.status).toBe(303);
    const back = new URL(submitted.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe('http://billing.example/billing/payment-method');
    expect(Object.fromEntries(back.searchParams)).toEqual({
      setup_intent: created.id,
      setup_intent_client_secret: created.client_secret,
      redirect_status: 'succeeded',
    });

    const retrieved = await browser(
      `/v1/setup_intents/${created.id}?client_secret=${encodeURIComponent(created.client_secret ?? '')}`,
    );
    expect(await retrieved.json()).toMatchObject({
      status: 'succeeded',
      payment_method: expect.stringMatching(/^pm_/),
    });
  });

  it('refuses a publishable key anywhere else, and a wrong client secret reads as a missing intent', async () => {
    const created = await h.stripe.setupIntents.create({});
    const asBrowser = { Authorization: 'Bearer pk_test_simulator' };
    const list = await fetch(`${h.url}/v1/customers`, { headers: asBrowser });
    expect(list.status).toBe(401);
    const wrong = await fetch(`${h.url}/v1/setup_intents/${created.id}?client_secret=seti_nope_secret_x`, {
      headers: asBrowser,
    });
    expect(wrong.status).toBe(404);
    const none = await fetch(`${h.url}/v1/setup_intents/${created.id}`, { headers: asBrowser });
    expect(none.status).toBe(404);
  });
});
