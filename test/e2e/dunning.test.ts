import { randomUUID } from 'node:crypto';
import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(() => stack?.close());

type Sub = { subscription: { plan: string; status: string; dunningAttempt: number } | null; effectivePlan: string };

/** Subscribes with a card that attaches but fails every charge, and ends the trial so the first invoice fails. */
async function failingCustomer(label: string) {
  const org = `org_${label}_${randomUUID().slice(0, 8)}`;
  const email = `${org}@customers.example`;
  const call = apiClient(stack, await userToken({ org, email }));
  const created = await call<Sub>('POST', '/subscription', {
    planId: 'starter',
    paymentMethodId: 'pm_card_chargeCustomerFail',
  });
  expect(created.status).toBe(201);
  await advanceClock(stack, org, (await clockNow(stack, org)) + 15 * DAY);
  const pastDue = await eventually(`${org} past_due`, async () => {
    const s = (await call<Sub>('GET', '/subscription')).body;
    return s.subscription?.status === 'past_due' ? s : undefined;
  });
  // Access is kept during dunning.
  expect(pastDue.effectivePlan).toBe('starter');
  return { org, email, call };
}

const subjects = (email: string) => stack.mail.messages({ to: email }).map((m) => m.subject);

test('a failing card goes past_due, the customer is emailed, a new card recovers the subscription', async () => {
  const { email, call } = await failingCustomer('recovers');
  await eventually('the payment-failed email', async () =>
    subjects(email).some((s) => /^Payment of .+ failed$/.test(s)) ? true : undefined,
  );

  const update = await call<Sub & { retry: string | null }>('POST', '/payment-method', {
    paymentMethodId: 'pm_card_visa',
  });
  expect(update.status).toBe(200);
  expect(update.body.retry).toBe('paid');
  expect(update.body.subscription).toMatchObject({ status: 'active', dunningAttempt: 0 });
  await eventually('the recovered email', async () =>
    subjects(email).some((s) => /^Payment of .+ received$/.test(s)) ? true : undefined,
  );
  // The invoice read model follows Stripe's invoice.paid webhook, which may arrive after the workflow's email.
  const cycleInvoices = await eventually('the renewal invoice paid in the read model', async () => {
    const invoices = (await call<{ data: { status: string; billingReason: string }[] }>('GET', '/invoices')).body.data;
    const cycle = invoices.filter((i) => i.billingReason === 'subscription_cycle');
    return cycle.length > 0 && cycle.every((i) => i.status === 'paid') ? cycle : undefined;
  });
  expect(cycleInvoices.map((i) => i.status)).toContain('paid');
});

test('a customer who never fixes the card is retried, given a grace period, then canceled and back on free', async () => {
  const { org, email, call } = await failingCustomer('lost');
  const ended = await eventually(
    'canceled after retries and grace',
    async () => {
      const s = (await call<Sub>('GET', '/subscription')).body;
      return s.subscription?.status === 'canceled' ? s : undefined;
    },
    90_000,
  );
  expect(ended.effectivePlan).toBe('free');
  const [stripeSub] = (
    await stack.stripe.subscriptions.list({
      status: 'all',
      customer: (
        await stack.t.db
          .selectFrom('billing_customers')
          .select('stripe_customer_id')
          .where('organization_id', '=', org)
          .executeTakeFirstOrThrow()
      ).stripe_customer_id,
    })
  ).data;
  expect(stripeSub?.status).toBe('canceled');
  const unpaid = (await stack.stripe.invoices.list({ subscription: stripeSub!.id })).data.find(
    (i) => i.billing_reason === 'subscription_cycle',
  );
  expect(unpaid?.status).toBe('uncollectible');
  // Several payment-failed notices (first failure and retries), a final notice, and the cancellation.
  await eventually('the cancellation email', async () =>
    subjects(email).some((s) => /has been canceled/.test(s)) ? true : undefined,
  );
  expect(subjects(email).filter((s) => /^Payment of .+ failed$/.test(s)).length).toBeGreaterThanOrEqual(2);
});
