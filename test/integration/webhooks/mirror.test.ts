import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { connectDevServer } from '../../helpers/temporal';
import {
  invoiceObject,
  paymentMethodObject,
  signed,
  stripeEvent,
  uid,
  type TestEvent,
} from '../../fixtures/stripe-events';
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
    const res = await fetch(`${app.url}/api/v1/billing/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': signature },
      body,
    });
    expect(res.status).toBe(200);
  }
  await relayFor(t.db, env.client, 'unused-queue').drain();
}

async function customer(): Promise<{ org: string; cus: string }> {
  const org = uid('org');
  const cus = uid('cus');
  await t.db
    .insertInto('billing_customers')
    .values({ organization_id: org, stripe_customer_id: cus, stripe_test_clock_id: null, email: null })
    .execute();
  return { org, cus };
}

const invoiceRow = (id: string) =>
  t.db.selectFrom('invoices').selectAll().where('stripe_invoice_id', '=', id).executeTakeFirstOrThrow();
const NOW = Math.floor(Date.now() / 1000);
const at = (secondsAgo: number) => NOW - secondsAgo;

test('an invoice is mirrored with the fields of the pinned API version', async () => {
  const { org, cus } = await customer();
  const sub = uid('sub');
  const paidAt = at(30);
  const invoice = invoiceObject({
    customer: cus,
    subscription: sub,
    status: 'paid',
    amountDue: 4900,
    amountPaid: 4900,
    paidAt,
  });

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
  const paid = {
    ...open,
    status: 'paid' as const,
    amount_paid: open.amount_due,
    amount_remaining: 0,
    status_transitions: { ...open.status_transitions!, paid_at: at(10) },
  };

  await deliverAndRelay(
    stripeEvent('invoice.paid', paid, { created: at(10) }),
    stripeEvent('invoice.finalized', open, { created: at(40) }),
  );

  expect(await invoiceRow(open.id ?? '')).toMatchObject({
    status: 'paid',
    amount_remaining: 0,
    source_event_created_at: new Date(at(10) * 1000),
  });
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

  const row = await t.db
    .selectFrom('payment_methods')
    .selectAll()
    .where('stripe_payment_method_id', '=', pm.id ?? '')
    .executeTakeFirstOrThrow();
  expect(row).toMatchObject({
    organization_id: org,
    brand: 'mastercard',
    last4: '4444',
    exp_month: 12,
    exp_year: 2030,
    detached_at: new Date(at(5) * 1000),
  });
});

describe('a relay batch is mirrored in a few statements, with the result applying its events in order gives', () => {
  const pmRow = (id: string) =>
    t.db.selectFrom('payment_methods').selectAll().where('stripe_payment_method_id', '=', id).executeTakeFirstOrThrow();

  test.each([
    ['paid, then payment_failed', ['invoice.paid', 'invoice.payment_failed'] as const],
    ['payment_failed, then paid', ['invoice.payment_failed', 'invoice.paid'] as const],
  ])('same-second invoice events claimed together (%s): the further-along state wins', async (_name, types) => {
    const { cus } = await customer();
    const open = invoiceObject({ customer: cus, status: 'open' });
    const paid = { ...open, status: 'paid' as const, amount_paid: open.amount_due, amount_remaining: 0 };
    const second = at(20);

    await deliverAndRelay(
      ...types.map((type) => stripeEvent(type, type === 'invoice.paid' ? paid : open, { created: second })),
    );

    expect(await invoiceRow(open.id ?? '')).toMatchObject({ status: 'paid', amount_remaining: 0 });
  });

  test('a card attached and detached in the same second, claimed together, is detached', async () => {
    const { cus } = await customer();
    const pm = paymentMethodObject({ customer: cus });
    const second = at(8);

    await deliverAndRelay(
      stripeEvent('payment_method.attached', pm, { created: second }),
      stripeEvent(
        'payment_method.detached',
        { ...pm, customer: null },
        { created: second, previous: { customer: cus } },
      ),
    );

    expect((await pmRow(pm.id ?? '')).detached_at).toEqual(new Date(second * 1000));
  });

  test("several organizations' invoices and cards in one batch each land on their own organization, default card flags included", async () => {
    const orgs = await Promise.all([customer(), customer(), customer()]);
    for (const { org } of orgs) {
      await t.db
        .updateTable('billing_customers')
        .set({ default_payment_method_id: `pm_default_${org}` })
        .where('organization_id', '=', org)
        .execute();
    }
    const cards = orgs.map(({ org, cus }) => [
      paymentMethodObject({ id: `pm_default_${org}`, customer: cus }),
      paymentMethodObject({ customer: cus }),
    ]);
    const invoices = orgs.map(({ cus }) => invoiceObject({ customer: cus, status: 'paid' }));

    await deliverAndRelay(
      ...orgs.flatMap((_, i) => [
        stripeEvent('invoice.paid', invoices[i] ?? {}, { created: at(30) }),
        ...(cards[i] ?? []).map((card) => stripeEvent('payment_method.attached', card, { created: at(30) })),
      ]),
    );

    for (const [i, { org }] of orgs.entries()) {
      expect(await invoiceRow(invoices[i]?.id ?? '')).toMatchObject({ organization_id: org, status: 'paid' });
      const [defaultCard, otherCard] = cards[i] ?? [];
      expect(await pmRow(defaultCard?.id ?? '')).toMatchObject({ organization_id: org, is_default: true });
      expect(await pmRow(otherCard?.id ?? '')).toMatchObject({ organization_id: org, is_default: false });
    }
  });

  test("an event the mirror cannot read holds back only its organization's run; the rest of the batch is mirrored", async () => {
    const good = await customer();
    const bad = await customer();
    const invoice = invoiceObject({ customer: good.cus, status: 'paid' });
    const { currency: _dropped, ...unreadable } = invoiceObject({ customer: bad.cus, status: 'paid' });
    const poison = stripeEvent('invoice.paid', unreadable, { created: at(12) });

    await deliverAndRelay(poison, stripeEvent('invoice.paid', invoice, { created: at(11) }));

    expect(await invoiceRow(invoice.id ?? '')).toMatchObject({ organization_id: good.org, status: 'paid' });
    const stored = await t.db
      .selectFrom('stripe_events')
      .select(['relay_status', 'relay_attempts'])
      .where('id', '=', poison.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ relay_status: 'pending', relay_attempts: 1 });
    expect(
      await t.db
        .selectFrom('invoices')
        .select('id')
        .where('stripe_invoice_id', '=', unreadable.id ?? '')
        .execute(),
    ).toHaveLength(0);
  });
});
