import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { connectDevServer } from '../../helpers/temporal';
import { invoiceObject, paymentMethodObject, signed, stripeEvent, uid, type TestEvent } from '../../fixtures/stripe-events';
import { relayFor } from './harness';

jest.setTimeout(30_000);

const SECRET = 'whsec_mirror_suite_0123456789';
let t: TestDb;
let env: TestWorkflowEnvironment;
let app: RunningApp;
beforeAll(async () => {
  [t, env] = await Promise.all([createTestDb(), connectDevServer()]);
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { STRIPE_WEBHOOK_SECRET: SECRET } }));
});
afterAll(async () => {
  await app.close();
  await env.teardown();
  await t.destroy();
});

/** Delivers over HTTP in the given order, then lets the relay mirror them (no workflow runs: mirroring needs none). */
async function deliverAndRelay(...events: TestEvent[]): Promise<void> {
  for (const e of events) {
    const { body, signature } = signed(JSON.stringify(e), SECRET);
    const res = await fetch(`${app.url}/api/v1/billing/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': signature }, body });
    expect(res.status).toBe(200);
  }
  await relayFor(t.db, env.client, 'unused-queue').drain();
}

async function customer(): Promise<{ org: string; cus: string }> {
  const org = uid('org');
  const cus = uid('cus');
  await t.db.insertInto('billing_customers').values({ organization_id: org, stripe_customer_id: cus, stripe_test_clock_id: null, email: null }).execute();
  return { org, cus };
}

const invoiceRow = (id: string) => t.db.selectFrom('invoices').selectAll().where('stripe_invoice_id', '=', id).executeTakeFirstOrThrow();
const NOW = Math.floor(Date.now() / 1000);
const at = (secondsAgo: number) => NOW - secondsAgo;

test('an invoice is mirrored with the fields of the pinned API version', async () => {
  const { org, cus } = await customer();
  const sub = uid('sub');
  const paidAt = at(30);
  const invoice = invoiceObject({ customer: cus, subscription: sub, status: 'paid', amountDue: 4900, amountPaid: 4900, paidAt });

  await deliverAndRelay(stripeEvent('invoice.paid', invoice, { created: at(20) }));

  expect(await invoiceRow(invoice.id ?? '')).toMatchObject({
    organization_id: org,
    stripe_subscription_id: sub,
    number: invoice.number,
    status: 'paid',
    currency: 'usd',
    amount_due: 4900,
    amount_paid: 4900,
    amount_remaining: 0,
    billing_reason: 'subscription_cycle',
    attempt_count: 1,
    hosted_invoice_url: invoice.hosted_invoice_url,
    invoice_pdf: invoice.invoice_pdf,
    period_start: new Date((invoice.period_start ?? 0) * 1000),
    period_end: new Date((invoice.period_end ?? 0) * 1000),
    paid_at: new Date(paidAt * 1000),
    stripe_created_at: new Date((invoice.created ?? 0) * 1000),
    source_event_created_at: new Date(at(20) * 1000),
  });
});

test('an older invoice event delivered after a newer one does not overwrite it', async () => {
  const { cus } = await customer();
  const open = invoiceObject({ customer: cus, status: 'open' });
  const paid = { ...open, status: 'paid' as const, amount_paid: open.amount_due, amount_remaining: 0, status_transitions: { ...open.status_transitions!, paid_at: at(10) } };

  await deliverAndRelay(stripeEvent('invoice.paid', paid, { created: at(10) }), stripeEvent('invoice.finalized', open, { created: at(40) }));

  expect(await invoiceRow(open.id ?? '')).toMatchObject({ status: 'paid', amount_remaining: 0, source_event_created_at: new Date(at(10) * 1000) });
});

test('in a same-second pair the further-along invoice state wins whichever is relayed last', async () => {
  const { cus } = await customer();
  const open = invoiceObject({ customer: cus, status: 'open' });
  const paid = { ...open, status: 'paid' as const, amount_paid: open.amount_due, amount_remaining: 0 };
  const second = at(15);

  await deliverAndRelay(stripeEvent('invoice.paid', paid, { created: second }));
  await deliverAndRelay(stripeEvent('invoice.payment_failed', open, { created: second }));

  expect((await invoiceRow(open.id ?? '')).status).toBe('paid');
});

test('a payment method detached after being attached stays detached when the events arrive reversed', async () => {
  const { org, cus } = await customer();
  const pm = paymentMethodObject({ customer: cus, brand: 'mastercard', last4: '4444' });

  await deliverAndRelay(
    stripeEvent('payment_method.detached', { ...pm, customer: null }, { created: at(5), previous: { customer: cus } }),
    stripeEvent('payment_method.attached', pm, { created: at(50) }),
  );

  const row = await t.db.selectFrom('payment_methods').selectAll().where('stripe_payment_method_id', '=', pm.id ?? '').executeTakeFirstOrThrow();
  expect(row).toMatchObject({ organization_id: org, brand: 'mastercard', last4: '4444', exp_month: 12, exp_year: 2030, detached_at: new Date(at(5) * 1000) });
});
