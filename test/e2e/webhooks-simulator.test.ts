import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Stripe from 'stripe';
import { reconcileNow } from '../../src/reconciliation/run-now';
import { createSubscriptionClient } from '../../src/subscriptions/client';
import type { WebhookRelay } from '../../src/webhooks/relay';
import { createStripeSimulator, type StripeSimulator } from '../../tools/stripe-sim';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../helpers/app';
import { createTestDb, type TestDb } from '../helpers/db';
import { connectDevServer } from '../helpers/temporal';
import { uid } from '../fixtures/stripe-events';
import { eventually, quietLogger, relayFor } from '../integration/webhooks/harness';

jest.setTimeout(90_000);

const SECRET = 'whsec_e2e_simulator_0123456789';
let t: TestDb;
let env: TestWorkflowEnvironment;
let simulator: StripeSimulator;
let simUrl: string;
let stripe: Stripe;
let app: RunningApp;
let relay: WebhookRelay;
let price: string;

beforeAll(async () => {
  [t, env] = await Promise.all([createTestDb(), connectDevServer()]);
  simulator = createStripeSimulator({ tickMs: 60_000, webhookSecret: SECRET, webhooks: { retryBaseMs: 200 } });
  const { port, url } = await simulator.listen(0);
  simUrl = url;
  stripe = new Stripe('sk_test_simulator', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  relay = relayFor(t.db, env.client, 'no-workflows-here');
  app = await startTestApp(
    buildTestAppDeps({ db: t.db, env: { STRIPE_WEBHOOK_SECRET: SECRET }, overrides: { webhookRelay: relay } }),
  );
  relay.start();
  await stripe.webhookEndpoints.create({ url: `${app.url}/api/v1/billing/webhooks/stripe`, enabled_events: ['*'] });
  const product = await stripe.products.create({ name: 'Starter' });
  price = (
    await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2_900,
      recurring: { interval: 'month' },
    })
  ).id;
});
afterAll(async () => {
  await relay.stop();
  await app.close();
  await simulator.close();
  await env.teardown();
  await t.destroy();
});

const fault = (body: object) =>
  fetch(`${simUrl}/_sim/webhook-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const deliveriesIdle = async () =>
  ((await (await fetch(`${simUrl}/_sim/deliveries`)).json()) as { idle: boolean }).idle;

async function payingOrganization(): Promise<{ org: string; customer: string; subscription: string }> {
  const org = uid('org');
  const customer = await stripe.customers.create({ email: `${org}@example.com`, metadata: { organization_id: org } });
  await t.db
    .insertInto('billing_customers')
    .values({ organization_id: org, stripe_customer_id: customer.id, stripe_test_clock_id: null, email: null })
    .execute();
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  const sub = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price }],
    metadata: { organization_id: org },
  });
  return { org, customer: customer.id, subscription: sub.id };
}

/** Stripe's invoices and payment methods for these customers, beside the mirror's. */
async function compare(customers: string[]): Promise<{ stripe: string[]; mirror: string[] }> {
  const fromStripe: string[] = [];
  for (const customer of customers) {
    for (const i of (await stripe.invoices.list({ customer, limit: 100 })).data)
      fromStripe.push(`${i.id}:${i.status}:${i.amount_paid}`);
    for (const p of (await stripe.paymentMethods.list({ customer, limit: 100 })).data)
      fromStripe.push(`${p.id}:attached:${p.card?.last4}`);
  }
  const invoices = await t.db.selectFrom('invoices').select(['stripe_invoice_id', 'status', 'amount_paid']).execute();
  const pms = await t.db
    .selectFrom('payment_methods')
    .select(['stripe_payment_method_id', 'last4', 'detached_at'])
    .execute();
  const mirror = [
    ...invoices.map((i) => `${i.stripe_invoice_id}:${i.status}:${i.amount_paid}`),
    ...pms.filter((p) => !p.detached_at).map((p) => `${p.stripe_payment_method_id}:attached:${p.last4}`),
  ];
  return { stripe: fromStripe.sort(), mirror: mirror.sort() };
}

const converged = (c: { stripe: string[]; mirror: string[] }) =>
  c.stripe.length > 0 && JSON.stringify(c.stripe) === JSON.stringify(c.mirror);

test('the read model converges to Stripe through duplicated and reordered real webhooks; a dropped one is healed by reconciliation', async () => {
  await fault({ action: 'duplicate', count: 6 });
  await fault({ action: 'reorder', count: 4 });
  const first = [await payingOrganization(), await payingOrganization(), await payingOrganization()];
  const customers = first.map((o) => o.customer);

  await eventually(deliveriesIdle, Boolean, 30_000);
  const afterFaults = await eventually(() => compare(customers), converged, 30_000);
  expect(afterFaults.mirror).toEqual(afterFaults.stripe);
  const duplicates =
    (await app.deps.metrics.webhookOutcomes.get()).values.find((v) => v.labels.outcome === 'duplicate')?.value ?? 0;
  expect(duplicates).toBeGreaterThan(0);

  // Every delivery for the next organization is lost.
  await fault({ action: 'drop', count: 1_000 });
  const lost = await payingOrganization();
  customers.push(lost.customer);
  await eventually(deliveriesIdle, Boolean, 30_000);
  await relay.drain();
  const beforeRepair = await compare(customers);
  expect(beforeRepair.mirror).not.toEqual(beforeRepair.stripe);

  const subscriptions = createSubscriptionClient(env.client, {
    taskQueue: 'no-workflows-here',
    policyProfile: 'standard',
  });
  await reconcileNow({ db: t.db, stripe, subscriptions, logger: quietLogger }, 'e2e');

  const repaired = await compare(customers);
  const invoicesOnly = (xs: string[]) => xs.filter((x) => x.startsWith('in_'));
  expect(invoicesOnly(repaired.mirror)).toEqual(invoicesOnly(repaired.stripe));
});
