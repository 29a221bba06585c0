import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../../src/activities';
import type { BillingActivities } from '../../../src/activities/types';
import type { NotificationRequest } from '../../../src/notifications/types';
import { syncCatalog } from '../../../src/stripe/catalog-sync';
import { createStripeClient } from '../../../src/stripe/client';
import { createStripeSimulator, type StripeSimulator } from '../../../tools/stripe-sim';
import { createTestDb, type TestDb } from '../../helpers/db';

jest.setTimeout(60_000);

let sim: StripeSimulator;
let stripe: ReturnType<typeof createStripeClient>;
let testDb: TestDb;
let acts: BillingActivities;
const sent: NotificationRequest[] = [];
const org = `org-acts-${Date.now().toString(36)}`;

beforeAll(async () => {
  sim = createStripeSimulator();
  const { url } = await sim.listen(0);
  stripe = createStripeClient({ secretKey: 'sk_test_simulator', apiUrl: url });
  await syncCatalog(stripe);
  testDb = await createTestDb();
  acts = createActivities({
    stripe,
    db: testDb.db,
    testClocks: true,
    notifier: { enqueue: async (r) => (sent.push(r), { enqueued: true }) },
  });
});
afterAll(async () => {
  await testDb?.destroy();
  await sim?.close();
});

test('the catalog sells every paid price in USD with its EUR amount, and a second sync leaves it unchanged', async () => {
  const prices = await stripe.prices.list({
    lookup_keys: ['billing_starter_monthly', 'billing_professional_yearly', 'billing_starter_seat_monthly'],
    expand: ['data.currency_options'],
  });
  expect(prices.data).toHaveLength(3);
  for (const price of prices.data) {
    expect(price.currency).toBe('usd');
    expect(price.currency_options?.eur?.unit_amount).toBe(price.unit_amount);
  }
  const metered = await stripe.prices.list({ recurring: { usage_type: 'metered' }, expand: ['data.currency_options'] });
  expect(metered.data.length).toBeGreaterThan(0);
  for (const price of metered.data) expect(price.currency_options?.eur?.unit_amount).toBe(price.unit_amount);
  const again = await syncCatalog(stripe);
  expect(again.prices.every((p) => p.action === 'unchanged')).toBe(true);
  expect(again.meters.created).toEqual([]);
});

test('a customer is created once per organization, on its own test clock', async () => {
  const first = await acts.ensureCustomer({ organizationId: org, email: 'a@example.com', asOf: Date.now() });
  const again = await acts.ensureCustomer({ organizationId: org, asOf: Date.now() });
  expect(again).toEqual(first);
  expect(first.testClockId).toMatch(/^clock_/);
  const row = await testDb.db
    .selectFrom('billing_customers')
    .selectAll()
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ stripe_customer_id: first.customerId, stripe_test_clock_id: first.testClockId });
});

test('a customer first created without an email (a card set up before subscribing) takes the email subscribing names, and keeps it', async () => {
  const early = `${org}-card-first`;
  const { customerId } = await acts.ensureCustomer({ organizationId: early, asOf: Date.now() });
  await acts.ensureCustomer({ organizationId: early, email: 'billing@early.example', asOf: Date.now() });
  await acts.ensureCustomer({ organizationId: early, email: 'someone-else@early.example', asOf: Date.now() });
  const row = await testDb.db
    .selectFrom('billing_customers')
    .select('email')
    .where('organization_id', '=', early)
    .executeTakeFirstOrThrow();
  expect(row.email).toBe('billing@early.example');
  expect((await stripe.customers.retrieve(customerId)) as { email: string | null }).toMatchObject({
    email: 'billing@early.example',
  });
});

test('a trial subscription is created once per step and upgrades, previews and cancels at period end', async () => {
  const { customerId } = await acts.ensureCustomer({ organizationId: org, asOf: Date.now() });
  const { paymentMethodId } = await acts.attachPaymentMethod({
    organizationId: org,
    customerId,
    paymentMethodId: 'pm_card_visa',
    subscriptionId: null,
  });
  const input = {
    organizationId: org,
    customerId,
    plan: 'starter' as const,
    trialDays: 14,
    paymentMethodId,
    step: 'subscribe:test-1',
    asOf: Date.now(),
  };
  const sub = await acts.createSubscription(input);
  expect(await acts.createSubscription(input)).toMatchObject({ id: sub.id });
  expect(sub).toMatchObject({ stripeStatus: 'trialing', plan: 'starter', organizationId: org, unitAmount: 2900 });
  expect(sub.trialEnd! - sub.currentPeriodStart).toBe(14 * 86_400_000);
  const lookupKeys = async () =>
    (await stripe.subscriptions.retrieve(sub.id)).items.data.map((i) => i.price.lookup_key).sort();
  // The plan's price plus its metered overage prices (billed from the billing meters in arrears).
  expect(await lookupKeys()).toEqual([
    'billing_starter_api_calls_overage',
    'billing_starter_messages_overage',
    'billing_starter_monthly',
  ]);

  const preview = await acts.previewPlanChange({ subscriptionId: sub.id, plan: 'professional' });
  expect(preview).toMatchObject({ plan: 'professional', currency: 'usd', nextRenewalAmount: 9900 });

  const up = await acts.changePlan({
    subscriptionId: sub.id,
    plan: 'professional',
    mode: 'upgrade',
    step: 'upgrade:1',
    asOf: Date.now(),
  });
  expect(up).toMatchObject({ outcome: 'applied', subscription: { plan: 'professional' } });
  expect(await lookupKeys()).toEqual([
    'billing_professional_api_calls_overage',
    'billing_professional_messages_overage',
    'billing_professional_monthly',
  ]);

  const canceling = await acts.setCancelAtPeriodEnd({
    subscriptionId: sub.id,
    cancelAtPeriodEnd: true,
    step: 'cancel:1',
    asOf: Date.now(),
  });
  expect(canceling.cancelAtPeriodEnd).toBe(true);
  const fetched = await acts.fetchSubscription({ subscriptionId: sub.id, asOf: Date.now() });
  expect(fetched).toMatchObject({ id: sub.id, plan: 'professional', cancelAtPeriodEnd: true });
});

test('a step built from the longest Idempotency-Key reaches Stripe under its 255-character limit, the same key on every retry', async () => {
  const other = `${org}-longkey`;
  const { customerId } = await acts.ensureCustomer({ organizationId: other, asOf: Date.now() });
  const clientKey = 'k'.repeat(200);
  const input = {
    organizationId: other,
    customerId,
    plan: 'starter' as const,
    trialDays: 14,
    paymentMethodId: null,
    step: `post:/subscription:${clientKey}`,
    asOf: Date.now(),
  };
  const sub = await acts.createSubscription(input);
  expect(await acts.createSubscription(input)).toMatchObject({ id: sub.id });
  const sent = sim.requests
    .all()
    .filter((r) => r.method === 'POST' && r.path === '/v1/subscriptions' && r.idempotencyKey?.includes(other));
  expect(sent).toHaveLength(2);
  expect(sent.map((r) => r.status)).toEqual([200, 200]);
  expect(sent[0]?.idempotencyKey?.length).toBe(255);
  expect(sent[1]?.idempotencyKey).toBe(sent[0]?.idempotencyKey);
});

test('a declined card without a trial fails subscribe with a typed, non-retryable CardDeclined', async () => {
  const other = `${org}-declined`;
  const { customerId } = await acts.ensureCustomer({ organizationId: other, asOf: Date.now() });
  const { paymentMethodId } = await acts.attachPaymentMethod({
    organizationId: other,
    customerId,
    paymentMethodId: 'pm_card_chargeCustomerFail',
    subscriptionId: null,
  });
  const err = await acts
    .createSubscription({
      organizationId: other,
      customerId,
      plan: 'starter',
      trialDays: 0,
      paymentMethodId,
      step: 'subscribe:x',
      asOf: Date.now(),
    })
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err).toMatchObject({ type: 'CardDeclined', nonRetryable: true });
});

test('an older projection never overwrites a newer one', async () => {
  const base = {
    organizationId: org,
    workflowId: `subscription:${org}`,
    stripeCustomerId: 'cus_x',
    stripeSubscriptionId: `sub_proj_${org}`,
    plan: 'starter' as const,
    status: 'active' as const,
    currency: 'usd',
    unitAmount: 2900,
    currentPeriodStart: Date.now(),
    currentPeriodEnd: Date.now() + 1e9,
    cancelAtPeriodEnd: false,
    pendingPlan: null,
    trialEnd: null,
    defaultPaymentMethodId: null,
    dunningAttempt: 0,
    graceEndsAt: null,
    canceledAt: null,
    endedAt: null,
  };
  expect(await acts.projectSubscription({ ...base, stateVersion: 2, plan: 'professional' })).toEqual({ applied: true });
  expect(await acts.projectSubscription({ ...base, stateVersion: 1 })).toEqual({ applied: false });
  const row = await testDb.db
    .selectFrom('subscriptions')
    .selectAll()
    .where('stripe_subscription_id', '=', base.stripeSubscriptionId)
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({ plan: 'professional', state_version: 2 });
});

test('the billing profile goes onto the Stripe customer and the read model; a tax ID Stripe refuses leaves both as they were', async () => {
  const profileOrg = `${org}-profile`;
  const { customerId } = await acts.ensureCustomer({
    organizationId: profileOrg,
    email: 'first@example.com',
    asOf: Date.now(),
  });
  const profile = {
    email: 'billing@acme.example',
    legalName: 'Acme GmbH',
    address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
    taxIds: [
      { type: 'eu_vat' as const, value: 'de 123 456 789' },
      { type: 'us_ein' as const, value: '12-3456789' },
    ],
  };
  const saved = await acts.updateCustomerProfile({
    organizationId: profileOrg,
    customerId,
    profile,
    step: 'profile:1',
  });
  expect(saved.taxIds).toEqual([
    expect.objectContaining({ type: 'eu_vat', value: 'DE123456789', country: 'DE', verification: 'pending' }),
    expect.objectContaining({ type: 'us_ein', value: '12-3456789', country: 'US', verification: null }),
  ]);
  const customer = await stripe.customers.retrieve(customerId);
  expect(customer).toMatchObject({
    email: 'billing@acme.example',
    name: 'Acme GmbH',
    address: { line1: 'Friedrichstraße 68', city: 'Berlin', postal_code: '10117', country: 'DE', line2: null },
  });
  const row = () =>
    testDb.db
      .selectFrom('billing_customers')
      .selectAll()
      .where('organization_id', '=', profileOrg)
      .executeTakeFirstOrThrow();
  expect(await row()).toMatchObject({ email: 'billing@acme.example', legal_name: 'Acme GmbH', tax_ids: saved.taxIds });

  // One ID kept, one dropped, two new of which Stripe refuses the second: nothing changes anywhere.
  const refused = {
    ...profile,
    email: 'other@acme.example',
    taxIds: [
      profile.taxIds[0]!,
      { type: 'gb_vat' as const, value: 'GB123456789' },
      { type: 'eu_vat' as const, value: 'DE1' },
    ],
  };
  await expect(
    acts.updateCustomerProfile({ organizationId: profileOrg, customerId, profile: refused, step: 'profile:2' }),
  ).rejects.toMatchObject({ type: 'InvalidRequest' });
  const ids = (await stripe.customers.listTaxIds(customerId)).data.map((t) => t.value).sort();
  expect(ids).toEqual(['12-3456789', 'DE123456789']);
  expect((await stripe.customers.retrieve(customerId)) as { email: string }).toMatchObject({
    email: 'billing@acme.example',
  });
  expect((await row()).email).toBe('billing@acme.example');

  // Clearing: no name, no address, no tax IDs.
  const cleared = await acts.updateCustomerProfile({
    organizationId: profileOrg,
    customerId,
    profile: { email: 'billing@acme.example', legalName: null, address: null, taxIds: [] },
    step: 'profile:3',
  });
  expect(cleared).toEqual({ email: 'billing@acme.example', legalName: null, address: null, taxIds: [] });
  expect(await stripe.customers.retrieve(customerId)).toMatchObject({ name: null, address: null });
  expect(await row()).toMatchObject({ legal_name: null, address: null, tax_ids: [] });
});
