import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import {
  assertAcceptedByStripeMock,
  startStripeMock,
  type StripeMock,
} from '../../tools/stripe-sim/test/stripe-mock-contract';
import { advanceClock, apiClient, clockNow, customerOf, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const ADMIN_TOKEN = 'e2e-operator-token-0123456789abcdef0123456789';
let stack: Stack;
let mock: StripeMock;

beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  mock = await startStripeMock();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
  await mock?.stop();
});

interface SubView {
  plan: string;
  status: string;
  id: string;
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

/** What GET /subscription shows for an organization on `contract`. */
const onNet14 = {
  plan: 'enterprise',
  status: 'active',
  unitAmount: 500_000,
  contract: { amount: 500_000, collection: { method: 'send_invoice', daysUntilDue: 14 } },
};

async function stripeSubscriptionOf(org: string): Promise<Stripe.Subscription> {
  const [sub] = (
    await stack.stripe.subscriptions.list({ customer: await customerOf(stack, org), status: 'all', limit: 1 })
  ).data;
  if (!sub) throw new Error(`no subscription for ${org}`);
  return sub;
}

/** The emails of one kind the mail sink received for `to` (the notification kind is in a header). */
const mailsOf = (to: string, kind: string) =>
  stack.mail.messages({ to }).filter((m) => m.headers['x-billing-notification'] === kind);

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
  expect(assigned.body.subscription).toMatchObject(onNet14);

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

  // Stripe's clock passes the due date: its invoice.overdue starts the overdue notice (grace is 10 s in the demo
  // profile); the customer pays by transfer within it, and the subscription is active again.
  await advanceClock(stack, org, dueAt + DAY);
  await eventually('the overdue notice', async () => {
    const s = (await customer<State>('GET', '/subscription')).body.subscription;
    return s?.status === 'past_due' ? s : undefined;
  });
  await stack.stripe.invoices.pay(invoice!.id, { paid_out_of_band: true });
  const paid = await eventually('the late payment read back', async () => {
    const s = (await customer<State>('GET', '/subscription')).body.subscription;
    return s?.invoiceDue === null && s.status === 'active' ? s : undefined;
  });
  expect(paid).toMatchObject({ plan: 'enterprise', dunningPhase: null });

  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});

test('a live monthly subscription moves onto a net-14 contract: the old subscription canceled with its unused time refunded, the contract on the same customer, its limits at once', async () => {
  const org = `org_move_${randomUUID().slice(0, 8)}`;
  const email = `${org}@customers.example`;
  const admin = apiClient(stack, ADMIN_TOKEN);
  const customer = apiClient(stack, await userToken({ org, email }));
  const created = await customer<State>('POST', '/subscription', {
    planId: 'starter',
    paymentMethodId: 'pm_card_visa',
    skipTrial: true,
  });
  expect(created.status).toBe(201);
  const oldId = (await stripeSubscriptionOf(org)).id;
  const [paid] = (await stack.stripe.invoices.list({ subscription: oldId })).data;
  expect(paid).toMatchObject({ status: 'paid', amount_paid: 2_900 });
  await advanceClock(stack, org, (await clockNow(stack, org)) + 10 * DAY);

  // The customer is billed in USD: a EUR contract is refused, nothing asked of Stripe.
  const eur = await admin('POST', `/admin/organizations/${org}/contract`, { ...contract, currency: 'eur' });
  expect(eur.status).toBe(409);
  expect((await stack.stripe.subscriptions.list({ customer: await customerOf(stack, org) })).data).toHaveLength(1);

  const moved = await admin<State>('POST', `/admin/organizations/${org}/contract`, contract, {
    'idempotency-key': `move-${org}`,
  });
  expect(moved.status).toBe(200);
  expect(moved.body.subscription).toMatchObject(onNet14);
  expect(moved.body.subscription!.id).not.toBe(created.body.subscription!.id);
  const all = (await stack.stripe.subscriptions.list({ customer: await customerOf(stack, org), status: 'all' })).data;
  expect(all).toHaveLength(2);
  const contractId = all.find((sub) => sub.id !== oldId)!.id;

  // On Stripe: the old subscription canceled, the contract's on the same customer, invoiced with net terms.
  const old = await stack.stripe.subscriptions.retrieve(oldId);
  expect(old.status).toBe('canceled');
  const onContract = await stack.stripe.subscriptions.retrieve(contractId);
  expect(onContract).toMatchObject({ customer: old.customer, collection_method: 'send_invoice', days_until_due: 14 });
  const [contractInvoice] = (await stack.stripe.invoices.list({ subscription: contractId })).data;
  expect(contractInvoice).toMatchObject({ amount_due: 500_000, status: 'open' });

  // The unused twenty days of the paid month go back to the card: one credit note, one email.
  const { start, end } = paid!.lines.data[0]!.period;
  const unused = Math.floor((2_900 * (end - (old.canceled_at as number))) / (end - start));
  expect(unused).toBeGreaterThan(1_800);
  const notes = (await stack.stripe.creditNotes.list({ invoice: paid!.id })).data;
  expect(notes.map((n) => n.amount)).toEqual([unused]);
  await eventually('the credit-note email', async () =>
    mailsOf(email, 'credit_note_issued').length > 0 ? true : undefined,
  );

  // The old subscription's deletion webhook has come and gone: the organization stays on the contract.
  const view = await eventually('the read model on the contract, the old row ended', async () => {
    const rows = await stack.t.db
      .selectFrom('subscriptions')
      .select(['stripe_subscription_id', 'status'])
      .where('organization_id', '=', org)
      .execute();
    const ended = rows.find((r) => r.stripe_subscription_id === oldId)?.status === 'canceled';
    const s = (await customer<State>('GET', '/subscription')).body;
    const current = rows.find((r) => r.stripe_subscription_id === contractId)?.status === 'active';
    return ended && current && s.subscription?.plan === 'enterprise' ? s : undefined;
  });
  expect(view).toMatchObject({ effectivePlan: 'enterprise', subscription: { plan: 'enterprise', status: 'active' } });
  const entitlements = (await customer<Entitlements>('GET', '/entitlements')).body;
  expect(entitlements.plan).toBe('enterprise');
  expect(Object.fromEntries(entitlements.metrics.map((m) => [m.metric, m.limit]))).toMatchObject({
    users: 50,
    messages: null,
  });
  // Already on a contract: a second move is refused, nothing new on Stripe.
  expect((await admin('POST', `/admin/organizations/${org}/contract`, contract)).status).toBe(409);
  expect((await stack.stripe.subscriptions.list({ customer: old.customer as string })).data).toHaveLength(1);

  await assertAcceptedByStripeMock(mock.url, stack.sim.requests.all());
});

test('a net-14 contract left unpaid: Stripe’s invoice.overdue makes it past due with the overdue notice, and the end of grace puts the organization back on free', async () => {
  const org = `org_overdue_${randomUUID().slice(0, 8)}`;
  const email = `ap-${org.slice(-8)}@bigcorp.example`;
  const admin = apiClient(stack, ADMIN_TOKEN);
  const customer = apiClient(stack, await userToken({ org, email: `${org}@customers.example` }));
  const assigned = await admin<State>('POST', `/admin/organizations/${org}/contract`, { ...contract, email });
  expect(assigned.status).toBe(200);
  const dueAt = Date.parse(assigned.body.subscription!.invoiceDue!.dueAt);
  const invoiceId = assigned.body.subscription!.invoiceDue!.invoiceId;

  await advanceClock(stack, org, dueAt + DAY);
  const overdue = await eventually('past due on Stripe’s overdue event', async () => {
    const s = (await customer<State>('GET', '/subscription')).body.subscription;
    return s?.status === 'past_due' ? s : undefined;
  });
  expect(overdue).toMatchObject({ plan: 'enterprise', invoiceDue: { invoiceId } });
  await eventually('the overdue notice by email', async () =>
    mailsOf(email, 'invoice_payment_due').length > 0 ? true : undefined,
  );

  // Grace (10 s in the demo profile) ends unpaid: canceled, back on free, the open invoice left to collections.
  const ended = await eventually(
    'canceled at the end of grace',
    async () => {
      const body = (await customer<State>('GET', '/subscription')).body;
      return body.subscription?.status === 'canceled' ? body : undefined;
    },
    60_000,
  );
  expect(ended.effectivePlan).toBe('free');
  expect((await customer<Entitlements>('GET', '/entitlements')).body.plan).toBe('free');
  expect((await stripeSubscriptionOf(org)).status).toBe('canceled');
});
