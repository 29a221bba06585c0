import { randomUUID } from 'node:crypto';
import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

interface PaymentAction {
  type: string;
  invoiceId: string;
  paymentIntentId: string | null;
  clientSecret: string | null;
  hostedInvoiceUrl: string | null;
}
type Sub = {
  subscription: {
    plan: string;
    status: string;
    paymentAction: PaymentAction | null;
    pendingUpgradePlan: string | null;
  } | null;
  effectivePlan: string;
};

/** GET /subscription until `until` holds for its answer (webhooks and the workflow are asynchronous). */
function subscriptionWhen<T extends Sub>(
  call: ReturnType<typeof apiClient>,
  what: string,
  until: (body: T) => boolean,
): Promise<T> {
  return eventually(
    what,
    async () => {
      const { body } = await call<T>('GET', '/subscription');
      return until(body) ? body : undefined;
    },
    30_000,
  );
}

/** The customer's part of 3-D Secure, as Stripe's test page plays it in a browser. */
async function authenticate(paymentIntentId: string, outcome: 'succeed' | 'fail'): Promise<void> {
  const res = await fetch(`${stack.simUrl}/_sim/payment_intents/${paymentIntentId}/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome }),
  });
  expect(res.status).toBe(200);
}

async function subscribeNeedingAuthentication(org: string) {
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const res = await call<Sub>(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_authenticationRequired', skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(res.status).toBe(201);
  expect(res.body.subscription).toMatchObject({
    status: 'incomplete',
    plan: 'starter',
    paymentAction: {
      type: 'requires_action',
      paymentIntentId: expect.stringMatching(/^pi_/),
      clientSecret: expect.stringMatching(/_secret_/),
    },
  });
  expect(res.body.effectivePlan).toBe('free');
  return { call, action: res.body.subscription!.paymentAction! };
}

test('subscribe with a card that needs 3-D Secure: the answer carries the action, and the customer completing it makes the subscription active', async () => {
  const org = `org_sca_ok_${randomUUID().slice(0, 8)}`;
  const { call, action } = await subscribeNeedingAuthentication(org);
  await authenticate(action.paymentIntentId!, 'succeed');
  const active = await subscriptionWhen<Sub>(
    call,
    'active after authentication',
    (b) => b.subscription?.status === 'active',
  );
  expect(active).toMatchObject({ effectivePlan: 'starter', subscription: { paymentAction: null } });
});

test('subscribe needing 3-D Secure, the customer fails it: after 23 hours the subscription expires, back on free, nothing charged', async () => {
  const org = `org_sca_fail_${randomUUID().slice(0, 8)}`;
  const { call, action } = await subscribeNeedingAuthentication(org);
  await authenticate(action.paymentIntentId!, 'fail');
  await advanceClock(stack, org, (await clockNow(stack, org)) + 24 * HOUR);
  const ended = await subscriptionWhen<Sub>(
    call,
    'ended after the window',
    (b) => b.subscription?.status === 'canceled',
  );
  expect(ended).toMatchObject({ effectivePlan: 'free', subscription: { paymentAction: null } });
  const invoice = await stack.stripe.invoices.retrieve(action.invoiceId);
  expect(invoice.status).toBe('void');
  expect(invoice.amount_paid).toBe(0);
});

/** An active starter subscription paid by card, whose card then becomes one that needs 3-D Secure on every payment. */
async function activeWithAuthenticationCard(org: string) {
  const email = `${org}@customers.example`;
  const call = apiClient(stack, await userToken({ org, email }));
  const res = await call<Sub>(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(res.body.subscription).toMatchObject({ status: 'active' });
  const card = await call<{ retry: string | null }>(
    'POST',
    '/payment-method',
    { paymentMethodId: 'pm_card_authenticationRequired' },
    { 'idempotency-key': `pm-${org}` },
  );
  expect(card).toMatchObject({ status: 200, body: { retry: null } });
  return { call, email };
}

test('a renewal that needs 3-D Secure off session: no blind retries, an email with the hosted invoice link, paid once the customer completes it', async () => {
  const org = `org_sca_renew_${randomUUID().slice(0, 8)}`;
  const { call, email } = await activeWithAuthenticationCard(org);
  await advanceClock(stack, org, (await clockNow(stack, org)) + 31 * 24 * HOUR);
  type Dunning = Sub & { subscription: { dunningPhase: string | null; dunningNextActionAt: string | null } };
  const waiting = await subscriptionWhen<Dunning>(
    call,
    'action required after the renewal',
    (b) => b.subscription?.dunningPhase === 'action_required',
  );
  expect(waiting.subscription).toMatchObject({
    status: 'past_due',
    paymentAction: { type: 'requires_action', hostedInvoiceUrl: expect.stringMatching(/^http/) },
  });
  const action = waiting.subscription!.paymentAction!;
  await eventually(
    'the action-required email with the hosted invoice link',
    async () =>
      stack.mail
        .messages({ to: email })
        .find(
          (m) => m.subject.startsWith('Your bank asks you to confirm') && m.text.includes(action.hostedInvoiceUrl!),
        ),
    20_000,
  );

  const intent = (
    await stack.stripe.invoices.retrieve(action.invoiceId, { expand: ['payments.data.payment.payment_intent'] })
  ).payments?.data.at(-1)?.payment.payment_intent;
  const intentId = typeof intent === 'string' ? intent : intent?.id;
  await authenticate(intentId!, 'succeed');
  const recovered = await subscriptionWhen<Dunning>(call, 'active again', (b) => b.subscription?.status === 'active');
  expect(recovered.subscription).toMatchObject({ dunningPhase: null, paymentAction: null });
});

test('an upgrade whose proration needs 3-D Secure keeps the plan until the customer completes it, then applies', async () => {
  const org = `org_sca_up_${randomUUID().slice(0, 8)}`;
  const { call } = await activeWithAuthenticationCard(org);
  const upgrade = await call<Sub & { change: string }>(
    'PATCH',
    '/subscription',
    { planId: 'professional' },
    { 'idempotency-key': `up-${org}` },
  );
  expect(upgrade.status).toBe(200);
  expect(upgrade.body).toMatchObject({
    change: 'upgrade_requires_action',
    effectivePlan: 'starter',
    subscription: { plan: 'starter', pendingUpgradePlan: 'professional', paymentAction: { type: 'requires_action' } },
  });
  await authenticate(upgrade.body.subscription!.paymentAction!.paymentIntentId!, 'succeed');
  const applied = await subscriptionWhen<Sub>(
    call,
    'the upgrade applied',
    (b) => b.subscription?.plan === 'professional',
  );
  expect(applied).toMatchObject({
    effectivePlan: 'professional',
    subscription: { status: 'active', pendingUpgradePlan: null, paymentAction: null },
  });
});

test('a card collected with a SetupIntent that needs 3-D Secure at setup is then charged without the customer, renewal included', async () => {
  const org = `org_sca_setup_${randomUUID().slice(0, 8)}`;
  const call = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const setup = await call<{ setupIntentId: string; clientSecret: string; publishableKey: string }>(
    'POST',
    '/payment-methods/setup-intent',
    undefined,
    { 'idempotency-key': `si-${org}` },
  );
  expect(setup.status).toBe(200);
  expect(setup.body).toMatchObject({
    setupIntentId: expect.stringMatching(/^seti_/),
    clientSecret: expect.stringMatching(/^seti_.+_secret_/),
    publishableKey: 'pk_test_simulator',
  });

  // What Stripe.js does in the browser: confirm with the card, then the issuer's challenge.
  const confirmed = await stack.stripe.setupIntents.confirm(setup.body.setupIntentId, {
    payment_method: 'pm_card_authenticationRequiredOnSetup',
  });
  expect(confirmed.status).toBe('requires_action');
  const res = await fetch(`${stack.simUrl}/_sim/setup_intents/${setup.body.setupIntentId}/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'succeed' }),
  });
  expect(res.status).toBe(200);
  const intent = await stack.stripe.setupIntents.retrieve(setup.body.setupIntentId);
  expect(intent.status).toBe('succeeded');
  const paymentMethodId = typeof intent.payment_method === 'string' ? intent.payment_method : intent.payment_method!.id;

  const subscribed = await call<Sub>(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId, skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(subscribed.body.subscription).toMatchObject({ status: 'active', paymentAction: null });
  await advanceClock(stack, org, (await clockNow(stack, org)) + 31 * 24 * HOUR);
  await eventually(
    'the renewal paid off session',
    async () => {
      const invoices = await stack.stripe.invoices.list({
        customer: (await stack.stripe.setupIntents.retrieve(setup.body.setupIntentId)).customer as string,
      });
      return invoices.data.filter((i) => i.billing_reason === 'subscription_cycle' && i.status === 'paid').length >= 1
        ? true
        : undefined;
    },
    30_000,
  );
  const { body } = await call<Sub & { subscription: { dunningPhase: string | null } }>('GET', '/subscription');
  expect(body.subscription).toMatchObject({ status: 'active', dunningPhase: null, paymentAction: null });
});

test('an upgrade left unauthenticated is rolled back when Stripe drops it after 23 hours: the old plan stays, its invoice void', async () => {
  const org = `org_sca_up_expire_${randomUUID().slice(0, 8)}`;
  const { call } = await activeWithAuthenticationCard(org);
  const upgrade = await call<Sub & { change: string }>(
    'PATCH',
    '/subscription',
    { planId: 'professional' },
    { 'idempotency-key': `up-${org}` },
  );
  expect(upgrade.body).toMatchObject({
    change: 'upgrade_requires_action',
    subscription: { pendingUpgradePlan: 'professional' },
  });
  const invoiceId = upgrade.body.subscription!.paymentAction!.invoiceId;
  await advanceClock(stack, org, (await clockNow(stack, org)) + 24 * HOUR);
  const rolledBack = await subscriptionWhen<Sub>(
    call,
    'the upgrade dropped',
    (b) => b.subscription?.pendingUpgradePlan === null,
  );
  expect(rolledBack).toMatchObject({
    effectivePlan: 'starter',
    subscription: { plan: 'starter', status: 'active', paymentAction: null },
  });
  expect((await stack.stripe.invoices.retrieve(invoiceId)).status).toBe('void');
});
