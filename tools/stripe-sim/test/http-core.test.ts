import Stripe from 'stripe';
import { startSimulator, type SimHarness, closeCheckingContract, CONTRACT_CHECK_TIMEOUT_MS } from './support';

describe('the HTTP surface', () => {
  let h: SimHarness;
  beforeAll(async () => {
    h = await startSimulator();
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);
  beforeEach(async () => {
    await fetch(`${h.url}/_sim/faults`, { method: 'DELETE' });
  });

  const fault = (body: object): Promise<Response> =>
    fetch(`${h.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });

  it('replays an idempotent create and rejects the key with different parameters', async () => {
    const key = `create-customer-${Date.now()}`;
    const first = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    const again = await h.stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.customers.list({ email: 'idem@example.com' })).data).toHaveLength(1);
    await expect(
      h.stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('refuses an idempotency key longer than 255 characters, as Stripe documents', async () => {
    await expect(
      h.stripe.customers.create({ email: 'long-key@example.com' }, { idempotencyKey: 'k'.repeat(256) }),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400, param: 'idempotency_key' });
    const atLimit = await h.stripe.customers.create(
      { email: 'long-key@example.com' },
      { idempotencyKey: 'k'.repeat(255) },
    );
    expect(atLimit.email).toBe('long-key@example.com');
  });

  it('answers with Stripe errors: unknown parameter, missing resource, bad key, unknown route', async () => {
    await expect(h.stripe.customers.create({ emial: 'x' } as Stripe.CustomerCreateParams)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
      param: 'emial',
    });
    await expect(h.stripe.subscriptions.retrieve('sub_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    const live = new Stripe('sk_live_nope', { host: '127.0.0.1', port: h.port, protocol: 'http' });
    await expect(live.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    const noKey = await fetch(`${h.url}/v1/customers`);
    expect(noKey.status).toBe(401);
    const unknown = await fetch(`${h.url}/v1/charges`, { headers: { Authorization: 'Bearer sk_test_x' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('request-id')).toMatch(/^req_/);
  });

  it('paginates lists with starting_after and has_more', async () => {
    const product = await h.stripe.products.create({ name: 'Paged' });
    for (let i = 0; i < 5; i += 1)
      await h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 + i });
    const page = await h.stripe.prices.list({ product: product.id, limit: 2 });
    expect(page).toMatchObject({ has_more: true });
    const next = await h.stripe.prices.list({ product: product.id, limit: 2, starting_after: page.data[1]?.id ?? '' });
    expect(next.data[0]?.unit_amount).toBe(102);
    expect(await h.stripe.prices.list({ product: product.id, limit: 2 }).autoPagingToArray({ limit: 10 })).toHaveLength(
      5,
    );
  });

  it('finds prices by lookup key and moves a key with transfer_lookup_key', async () => {
    const product = await h.stripe.products.create({ name: 'Keys' });
    const old = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1_000,
      recurring: { interval: 'month' },
      lookup_key: 'keys_monthly',
    });
    await expect(
      h.stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1_200, lookup_key: 'keys_monthly' }),
    ).rejects.toMatchObject({ param: 'lookup_key' });
    const moved = await h.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1_200,
      recurring: { interval: 'month' },
      lookup_key: 'keys_monthly',
      transfer_lookup_key: true,
    });
    const found = await h.stripe.prices.list({ lookup_keys: ['keys_monthly'], expand: ['data.product'] });
    expect(found.data.map((p) => p.id)).toEqual([moved.id]);
    expect((found.data[0]?.product as Stripe.Product).name).toBe('Keys');
    expect((await h.stripe.prices.retrieve(old.id)).lookup_key).toBeNull();
  });

  it('mints a new payment method each time a test alias is attached, and expands it', async () => {
    const customer = await h.stripe.customers.create({});
    const a = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const b = await h.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(a.id).not.toBe(b.id);
    await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: b.id } });
    const expanded = (await h.stripe.customers.retrieve(customer.id, {
      expand: ['invoice_settings.default_payment_method'],
    })) as Stripe.Customer;
    expect((expanded.invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe('4242');
    await h.stripe.paymentMethods.detach(b.id);
    expect(
      ((await h.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method,
    ).toBeNull();
    expect((await h.stripe.customers.listPaymentMethods(customer.id)).data.map((pm) => pm.id)).toEqual([a.id]);
  });

  it('fails the next matching calls with injected 500 and 429, which the SDK retries or surfaces', async () => {
    const retrying = new Stripe('sk_test_retry', {
      host: '127.0.0.1',
      port: h.port,
      protocol: 'http',
      maxNetworkRetries: 2,
    });
    expect((await fault({ kind: '500', count: 2, method: 'POST', path: '^/v1/customers$' })).status).toBe(200);
    const created = await retrying.customers.create({ email: 'after-500@example.com' });
    expect(created.id).toMatch(/^cus_/);
    const log = (await (await fetch(`${h.url}/_sim/requests`)).json()) as {
      data: Array<{ path: string; status: number; idempotencyKey: string | null }>;
    };
    const attempts = log.data.filter(
      (r) => r.path === '/v1/customers' && r.idempotencyKey === created.lastResponse.idempotencyKey,
    );
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);

    await fault({ kind: '429' });
    await expect(h.stripe.products.list()).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect((await fault({ kind: 'teapot' })).status).toBe(400);
  });

  it('hangs and drops the connection for an injected timeout', async () => {
    const impatient = new Stripe('sk_test_timeout', {
      host: '127.0.0.1',
      port: h.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 200,
    });
    await fault({ kind: 'timeout', hangMs: 1_000 });
    await expect(impatient.customers.list()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((await impatient.customers.list({ limit: 1 })).object).toBe('list');
  });

  it('executes a call whose answer is lost (timeout, executed) so that only its idempotency key prevents a second effect', async () => {
    const impatient = new Stripe('sk_test_timeout', {
      host: '127.0.0.1',
      port: h.port,
      protocol: 'http',
      maxNetworkRetries: 0,
      timeout: 200,
    });
    const email = `lost-answer-${Date.now()}@example.com`;
    await fault({ kind: 'timeout', hangMs: 1_000, executed: true, method: 'POST', path: '^/v1/customers$' });
    await expect(impatient.customers.create({ email }, { idempotencyKey: email })).rejects.toBeInstanceOf(
      Stripe.errors.StripeConnectionError,
    );
    expect((await h.stripe.customers.list({ email })).data).toHaveLength(1);
    const retried = await h.stripe.customers.create({ email }, { idempotencyKey: email });
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await h.stripe.customers.list({ email })).data).toHaveLength(1);
  });

  it('holds a delayed call in flight after executing it, then answers', async () => {
    const email = `held-${Date.now()}@example.com`;
    await fault({ kind: 'delay', hangMs: 600, method: 'POST', path: '^/v1/customers$' });
    const started = Date.now();
    const pending = h.stripe.customers.create({ email });
    await new Promise((r) => setTimeout(r, 300));
    expect((await h.stripe.customers.list({ email })).data).toHaveLength(1);
    expect((await pending).email).toBe(email);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('resets all state through /_sim/reset', async () => {
    const sim = await startSimulator();
    try {
      await sim.stripe.customers.create({});
      expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(200);
      expect((await sim.stripe.customers.list()).data).toHaveLength(0);
      expect((await fetch(`${sim.url}/_sim/health`)).status).toBe(200);
    } finally {
      await sim.simulator.close();
    }
  });
});
