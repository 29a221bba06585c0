import { apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

type Profile = {
  billingProfile: {
    email: string | null;
    legalName: string | null;
    address: Record<string, string | null> | null;
    taxIds: { id: string; type: string; value: string; country: string | null; verification: string | null }[];
    updatedAt: string | null;
  };
};
const acme = {
  email: 'accounts@acme.example',
  legalName: 'Acme GmbH',
  address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
  taxIds: [{ type: 'eu_vat', value: 'DE 123 456 789' }],
};

test('the billing profile is written to the Stripe customer, read back, and from then on every billing email goes to its address', async () => {
  const org = `org_profile_${Date.now().toString(36)}`;
  const signupEmail = `${org}@users.example`;
  const call = apiClient(stack, await userToken({ org, email: signupEmail }));

  const before = await call<Profile>('GET', '/billing-profile');
  expect(before.status).toBe(200);
  expect(before.body.billingProfile).toEqual({
    email: null,
    legalName: null,
    address: null,
    taxIds: [],
    updatedAt: null,
  });

  const sub = await call(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(sub.status).toBe(201);

  const put = await call<Profile>('PUT', '/billing-profile', acme, { 'idempotency-key': `profile-${org}` });
  expect(put.status).toBe(200);
  expect(put.body.billingProfile).toMatchObject({
    email: 'accounts@acme.example',
    legalName: 'Acme GmbH',
    address: {
      line1: 'Friedrichstraße 68',
      city: 'Berlin',
      postalCode: '10117',
      country: 'DE',
      line2: null,
      state: null,
    },
    taxIds: [{ type: 'eu_vat', value: 'DE123456789', country: 'DE', verification: 'pending' }],
    updatedAt: expect.any(String),
  });
  expect((await call<Profile>('GET', '/billing-profile')).body).toEqual(put.body);

  const customerId = (
    await stack.t.db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', org)
      .executeTakeFirstOrThrow()
  ).stripe_customer_id;
  const customer = await stack.stripe.customers.retrieve(customerId);
  expect(customer).toMatchObject({
    email: 'accounts@acme.example',
    name: 'Acme GmbH',
    address: { line1: 'Friedrichstraße 68', city: 'Berlin', postal_code: '10117', country: 'DE' },
  });
  expect((await stack.stripe.customers.listTaxIds(customerId)).data.map((t) => t.value)).toEqual(['DE123456789']);

  // The same request again (same Idempotency-Key) is one write, not a second tax ID.
  const again = await call<Profile>('PUT', '/billing-profile', acme, { 'idempotency-key': `profile-${org}` });
  expect(again.status).toBe(200);
  expect((await stack.stripe.customers.listTaxIds(customerId)).data).toHaveLength(1);

  // The cancellation email goes to the billing email, not to the user who signed up.
  expect(
    (await call('DELETE', '/subscription?immediate=true', undefined, { 'idempotency-key': `cancel-${org}` })).status,
  ).toBe(200);
  const mail = await eventually('the cancellation email at the billing address', async () =>
    stack.mail
      .messages({ to: 'accounts@acme.example' })
      .find((m) => m.headers['x-billing-notification'] === 'subscription_canceled'),
  );
  expect(mail.subject).toBeTruthy();
  expect(
    stack.mail
      .messages({ to: signupEmail })
      .filter((m) => m.headers['x-billing-notification'] === 'subscription_canceled'),
  ).toEqual([]);
});

test('a profile before subscribing creates the customer the subscription then uses; bad input is refused with the envelope and writes nothing', async () => {
  const org = `org_profile_first_${Date.now().toString(36)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@users.example` }));
  const refusals: [unknown, number, string, RegExp][] = [
    [{ ...acme, taxIds: [{ type: 'eu_vat', value: 'DE12' }] }, 422, 'VALIDATION_FAILED', /not a valid eu_vat/],
    [{ ...acme, taxIds: [{ type: 'xx_vat', value: '1' }] }, 422, 'VALIDATION_FAILED', /type/],
    [{ ...acme, address: { ...acme.address, country: 'Germany' } }, 422, 'VALIDATION_FAILED', /ISO 3166/],
    [{ ...acme, email: 'nope' }, 422, 'VALIDATION_FAILED', /email/],
    [{ ...acme, vatNumber: 'DE123456789' }, 422, 'VALIDATION_FAILED', /vatNumber|unrecognized/i],
  ];
  for (const [body, status, code, message] of refusals) {
    const res = await call<{ error: { code: string; message: string; details?: unknown } }>(
      'PUT',
      '/billing-profile',
      body,
      {
        'idempotency-key': `bad-${Math.random()}`,
      },
    );
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status, code });
    expect(JSON.stringify(res.body.error)).toMatch(message);
  }
  expect(
    await stack.t.db
      .selectFrom('billing_customers')
      .select('organization_id')
      .where('organization_id', '=', org)
      .execute(),
  ).toEqual([]);

  const member = apiClient(stack, await userToken({ org, email: 'member@profile.example', role: 'member' }));
  expect((await member('PUT', '/billing-profile', acme, { 'idempotency-key': `m-${org}` })).status).toBe(403);
  expect((await member<Profile>('GET', '/billing-profile')).status).toBe(200);

  const put = await call<Profile>('PUT', '/billing-profile', acme, { 'idempotency-key': `profile-${org}` });
  expect(put.status).toBe(200);
  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .selectAll()
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  const sub = await call<{ subscription: { stripeCustomerId?: string } }>(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_visa' },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(sub.status).toBe(201);
  const subs = await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id });
  expect(subs.data).toHaveLength(1);
  expect((await call<Profile>('GET', '/billing-profile')).body.billingProfile.email).toBe('accounts@acme.example');
});
