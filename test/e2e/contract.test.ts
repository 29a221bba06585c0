import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import {
  assertAcceptedByStripeMock,
  startStripeMock,
  type StripeMock,
} from '../../tools/stripe-sim/test/stripe-mock-contract';
import { advanceClock, apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const ADMIN_TOKEN = 'e2e-operator-token-0123456789abcdef0123456789';
let stack: Stack;
let mock: StripeMock;

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  mock = await startStripeMock();
});
afterAll(async () => {
  await stack?.close();
  await mock?.stop();
});

interface SubView {
  plan: string;
  status: string;
  unitAmount: number;
  dunningPhase: string | null;
  contract: { amount: number; collection: { method: string; daysUntilDue?: number } } | null;
  invoiceDue: { invoiceId: string; amountDue: number; dueAt: string } | null;
}
type State = { subscription: SubView | null; effectivePlan?: string };
type Entitlements = { plan: string; metrics: { metric: string; limit: number | null }[] };

const contract = {
  amount: 500_000,
  currency: 'usd',
  interval: 'month',
  limits: { users: 50, messages: -1 },
  collection: { method: 'send_invoice', daysUntilDue: 14 },
};

async function stripeSubscriptionOf(org: string): Promise<Stripe.Subscription> {
  const customer = await stack.t.db
    .selectFrom('billing_customers')
    .select('stripe_customer_id')
    .where('organization_id', '=', org)
    .executeTakeFirstOrThrow();
  const [sub] = (await stack.stripe.subscriptions.list({ customer: customer.stripe_customer_id, limit: 1 })).data;
  if (!sub) throw new Error(`no subscription for ${org}`);
  return sub;
}

test('an operator assigns a net-14 contract to an organization on free with no card: invoiced on Stripe with net terms, its limits at once, paid late by transfer and read back', async () => {
  const org = `org_contract_${randomUUID().slice(0, 8)}`;
  const admin = apiClient(stack, ADMIN_TOKEN);
  const customer = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  expect((await customer<Entitlements>('GET', '/entitlements')).body.plan).toBe('free');

  const refused = await admin('POST', `/admin/organizations/${org}/contract`, { ...contract, amount: 0 });
  expect(refused.status).toBe(422);
  const key = { 'idempotency-key': `contract-${org}` };
  const assigned = await admin<State>(
    'POST',
    `/admin/organizations/${org}/contract`,
    { ...contract, email: `ap-${org.slice(-8)}@bigcorp.example` },
    key,
  );
  expect(assigned.status).toBe(200);
  expect(assigned.body.subscription).toMatchObject({
    plan: 'enterprise',
    status: 'active',
    unitAmount: 500_000,
    contract: { amount: 500_000, collection: { method: 'send_invoice', daysUntilDue: 14 } },
  });

  const sub = await stripeSubscriptionOf(org);
  expect(sub).toMatchObject({ collection_method: 'send_invoice', days_until_due: 14, status: 'active' });
  const [invoice] = (await stack.stripe.invoices.list({ subscription: sub.id })).data;
  expect(invoice).toMatchObject({ amount_due: 500_000, status: 'open', attempt_count: 0 });
  expect(assigned.body.subscription!.invoiceDue).toMatchObject({ invoiceId: invoice!.id, amountDue: 500_000 });
  const dueAt = Date.parse(assigned.body.subscription!.invoiceDue!.dueAt);
  expect(dueAt).toBe(invoice!.due_date! * 1000);

  const entitlements = (await customer<Entitlements>('GET', '/entitlements')).body;
  const limits = Object.fromEntries(entitlements.metrics.map((m) => [m.metric, m.limit]));
  expect(entitlements.plan).toBe('enterprise');
  expect(limits).toMatchObject({ users: 50, messages: null });

  // The same request with the same Idempotency-Key is the same operation: the same answer, nothing new.
  const repeated = await admin(
    'POST',
    `/admin/organizations/${org}/contract`,
    { ...contract, email: `ap-${org.slice(-8)}@bigcorp.example` },
    key,
  );
  expect(repeated.status).toBe(200);
  // Without a key a request is an assignment of its own: refused while the contract runs, nothing new on Stripe.
  const unkeyed = await admin('POST', `/admin/organizations/${org}/contract`, contract);
  expect(unkeyed.status).toBe(409);
  const badKey = await admin('POST', `/admin/organizations/${org}/contract`, contract, { 'idempotency-key': 'x' });
  expect(badKey.status).toBe(422);
  // Another contract while this one runs is refused; nothing changes on Stripe.
  const again = await admin('POST', `/admin/organizations/${org}/contract`, { ...contract, amount: 600_000 });
  expect(again.status).toBe(409);
  expect((await stack.stripe.subscriptions.list({ customer: sub.customer as string })).data).toHaveLength(1);

  // Stripe's clock passes the due date (invoice.overdue); the customer pays by transfer. The overdue notice and grace run
  // on the workflow's clock, 14 real days away here: test/workflow/contract.test.ts covers them.
  await advanceClock(stack, org, dueAt + DAY);
  await stack.stripe.invoices.pay(invoice!.id, { paid_out_of_band: true });
  const paid = await eventually('the late payment read back', async () => {
    const s = (await customer<State>('GET', '/subscription')).body.subscription;
    return s?.invoiceDue === null && s.status === 'active' ? s : undefined;
  });
  expect(paid).toMatchObject({ plan: 'enterprise', dunningPhase: null });

  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});
