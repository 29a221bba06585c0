import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { resendInvoiceCommand } from '../../../src/cli/commands/resend-invoice';
import { undeliveredInvoicesCommand } from '../../../src/cli/commands/undelivered-invoices';
import type { CliDeps } from '../../../src/cli/command';
import { loadConfig } from '../../../src/config';
import { createInvoiceMailer, stripeLineSummary, type InvoiceMailer } from '../../../src/invoice-delivery';
import {
  billingEmailResolver,
  createEmailDispatcher,
  createOutboxNotifier,
  createSmtpTransport,
} from '../../../src/notifications';
import { createStripeClient } from '../../../src/stripe/client';
import { upsertInvoice } from '../../../src/db/read-models/invoices';
import { StripeInvoiceSchema, toInvoiceRow } from '../../../src/webhooks/mirror/invoice';
import { createMailSink, type MailSink } from '../../../tools/mail-sink';
import { createStripeSimulator, type StripeSimulator } from '../../../tools/stripe-sim';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { userToken } from '../../helpers/tokens';
import { inbox, injectSmtpFaults, sleep } from './helpers';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'admin_test_token_0123456789abcdefghij';
const FAST_BACKOFF = { baseMs: 300, maxMs: 1_000, maxAttempts: 4 };

let t: TestDb;
let sink: MailSink;
let sim: StripeSimulator;
let stripe: Stripe;
let app: RunningApp;
let priceId: string;

beforeAll(async () => {
  [t, sink] = await Promise.all([createTestDb(), createMailSink()]);
  sim = createStripeSimulator();
  const { url } = await sim.listen(0);
  stripe = createStripeClient(loadConfig({ STRIPE_API_URL: url }).stripe);
  const product = await stripe.products.create({ name: 'Starter' });
  priceId = (
    await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2900,
      recurring: { interval: 'month' },
    })
  ).id;
  app = await startTestApp(buildTestAppDeps({ db: t.db, env: { ADMIN_TOKENS: ADMIN_TOKEN } }));
});
afterAll(async () => {
  await app.close();
  await Promise.all([t.destroy(), sink.close(), sim.close()]);
});

const notifier = () =>
  createOutboxNotifier({
    db: t.db,
    resolveRecipient: billingEmailResolver(t.db),
    publicUrl: 'https://app.example.test',
  });
const mailer = (): InvoiceMailer =>
  createInvoiceMailer({ db: t.db, notifier: notifier(), lineSummary: stripeLineSummary(stripe) });
const dispatcher = () =>
  createEmailDispatcher({
    db: t.db,
    transport: createSmtpTransport(sink.smtpUrl),
    from: 'Billing <billing@example.test>',
    backoff: FAST_BACKOFF,
  });

/** A customer in Stripe (the simulator) and the read model whose first invoice is paid at once, mirrored as the relay does. */
async function paidFirstInvoice(): Promise<{ org: string; email: string; invoice: Stripe.Invoice }> {
  const org = `org_inv_${randomUUID().slice(0, 8)}`;
  const email = `${org}@customers.example`;
  const customer = await stripe.customers.create({
    email,
    payment_method: 'pm_card_visa',
    invoice_settings: { default_payment_method: 'pm_card_visa' },
  });
  await t.db
    .insertInto('billing_customers')
    .values({ organization_id: org, stripe_customer_id: customer.id, email })
    .execute();
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: priceId }] });
  const invoice = await stripe.invoices.retrieve(String(subscription.latest_invoice));
  await mirror(invoice, org);
  return { org, email, invoice };
}

async function mirror(invoice: Stripe.Invoice, org: string): Promise<void> {
  await upsertInvoice(t.db, toInvoiceRow(StripeInvoiceSchema.parse(invoice), org, new Date(invoice.created * 1000)));
}

async function invoicesOf(org: string) {
  const res = await fetch(`${app.url}/api/v1/billing/invoices`, {
    headers: { authorization: `Bearer ${await userToken({ org })}` },
  });
  expect(res.status).toBe(200);
  return (
    (await res.json()) as {
      data: {
        stripeInvoiceId: string;
        status: string;
        delivery: Record<'invoice' | 'receipt', { status: string; attempts: number }>;
      }[];
    }
  ).data;
}

function admin(path: string, init: { method?: string; body?: string } = {}, token = ADMIN_TOKEN) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${app.url}/api/v1/billing/admin${path}`, { ...init, headers });
}

const kindsOf = (messages: { headers: Record<string, string> }[]) =>
  messages.map((m) => m.headers['x-billing-notification']).sort();

beforeEach(async () => {
  await fetch(`${sink.httpUrl}/messages`, { method: 'DELETE' });
});

test('a paid invoice gets one invoice email and one receipt, with its amount, period, lines and working links, whatever repeats', async () => {
  const { org, email, invoice } = await paidFirstInvoice();
  // The same invoice mirrored again (a webhook delivered three times, a redrive), and two workers sweeping at once.
  await mirror(invoice, org);
  await mirror(invoice, org);
  const [a, b] = await Promise.all([mailer().runOnce(), mailer().runOnce()]);
  expect(a.enqueued + b.enqueued).toBe(2);
  expect(await mailer().runOnce()).toEqual({ invoices: 0, enqueued: 0, failed: 0 });
  await dispatcher().runOnce();
  await dispatcher().runOnce();

  const messages = await inbox(sink, email);
  expect(kindsOf(messages)).toEqual(['invoice_issued', 'invoice_receipt']);
  const issued = messages.find((m) => m.headers['x-billing-notification'] === 'invoice_issued');
  expect(issued?.subject).toBe(`Invoice ${invoice.number} for $29.00`);
  expect(issued?.text).toContain('the first invoice of your subscription');
  expect(issued?.text).toMatch(/for \w+ \d+, \d{4} to \w+ \d+, \d{4}/);
  expect(issued?.text).toContain(`${invoice.lines.data[0]?.description}: $29.00`);
  for (const link of [invoice.hosted_invoice_url, invoice.invoice_pdf]) {
    expect(issued?.text).toContain(link);
    expect(issued?.html).toContain(`href="${link}"`);
    expect((await fetch(link ?? '')).status).toBe(200);
  }
  expect((await fetch(invoice.invoice_pdf ?? '')).headers.get('content-type')).toMatch(/pdf/);
  expect((await invoicesOf(org))[0]).toMatchObject({
    status: 'paid',
    delivery: { invoice: { status: 'sent', attempts: 1 }, receipt: { status: 'sent', attempts: 1 } },
  });
});

test('an SMTP outage delays invoice emails without losing them, and GET /invoices shows them pending meanwhile', async () => {
  const { org, email } = await paidFirstInvoice();
  expect((await mailer().runOnce()).enqueued).toBe(2);
  const smtpPort = sink.smtpPort;
  await sink.close();
  try {
    expect(await dispatcher().runOnce()).toMatchObject({ claimed: 2, retried: 2, sent: 0 });
    const [pending] = await invoicesOf(org);
    expect(pending?.delivery).toEqual({
      invoice: { status: 'pending', attempts: 1, sentAt: null },
      receipt: { status: 'pending', attempts: 1, sentAt: null },
    });
    const listed = (await (await admin(`/invoices/undelivered?organizationId=${org}`)).json()) as {
      data: { status: string; lastError: string }[];
    };
    expect(listed.data.map((e) => e.status)).toEqual(['pending', 'pending']);
    expect(listed.data[0]?.lastError).toMatch(/ECONNREFUSED|connect/i);
  } finally {
    sink = await createMailSink({ smtpPort });
  }
  await sleep(FAST_BACKOFF.baseMs + 100);
  expect(await dispatcher().runOnce()).toMatchObject({ claimed: 2, sent: 2 });
  expect(kindsOf(await inbox(sink, email))).toEqual(['invoice_issued', 'invoice_receipt']);
  const [delivered] = await invoicesOf(org);
  expect(delivered?.delivery.invoice).toMatchObject({ status: 'sent', attempts: 2 });
});

test('an invoice email the mail server refuses stays visible as failed, and an operator re-sends it by the admin endpoint or the CLI', async () => {
  const { org, email, invoice } = await paidFirstInvoice();
  await mailer().runOnce();
  await injectSmtpFaults(sink, { rejectNext: 2, code: 550 });
  expect(await dispatcher().runOnce()).toMatchObject({ dead: 2 });
  expect(await inbox(sink, email)).toEqual([]);
  expect((await invoicesOf(org))[0]?.delivery.invoice.status).toBe('failed');

  // Only operators: no token, an organization owner's JWT, or a usage service token are refused.
  expect((await fetch(`${app.url}/api/v1/billing/admin/invoices/undelivered`)).status).toBe(401);
  const owner = await userToken({ org, role: 'owner' });
  expect((await admin(`/invoices/${invoice.id}/resend`, { method: 'POST', body: '{}' }, owner)).status).toBe(401);
  const undelivered = (await (await admin(`/invoices/undelivered?organizationId=${org}`)).json()) as {
    data: { kind: string; status: string; lastError: string; toAddress: string }[];
  };
  expect(undelivered.data).toEqual([
    expect.objectContaining({
      kind: 'invoice_issued',
      status: 'failed',
      toAddress: email,
      lastError: expect.stringMatching(/550/),
    }),
    expect.objectContaining({ kind: 'invoice_receipt', status: 'failed' }),
  ]);

  const resent = await admin(`/invoices/${invoice.id}/resend`, {
    method: 'POST',
    body: JSON.stringify({ kind: 'invoice_issued' }),
  });
  expect(resent.status).toBe(200);
  expect(await resent.json()).toMatchObject({
    organizationId: org,
    emails: [{ kind: 'invoice_issued', outcome: 'requeued' }],
  });
  expect(await dispatcher().runOnce()).toMatchObject({ sent: 1 });
  expect(kindsOf(await inbox(sink, email))).toEqual(['invoice_issued']);

  // The receipt by the CLI; a delivered email is never sent twice.
  const lines: string[] = [];
  const deps = { db: t.db, out: (l: string) => lines.push(l) } as unknown as CliDeps;
  await undeliveredInvoicesCommand.run(['--org', org, '--json'], deps);
  expect(JSON.parse(lines.splice(0).join('\n'))).toMatchObject({
    data: [{ stripeInvoiceId: invoice.id, kind: 'invoice_receipt', status: 'failed', attempts: 1 }],
  });
  await undeliveredInvoicesCommand.run(['--org', org], deps);
  expect(lines[0]).toMatch(
    new RegExp(`^${invoice.id} invoice_receipt +failed +org=${org} attempts=1 to=${email} error=".*550`),
  );
  await resendInvoiceCommand.run(['--invoice', invoice.id ?? '', '--kind', 'invoice_receipt'], deps);
  expect(lines.at(-1)).toBe(`${invoice.id} invoice_receipt: requeued`);
  expect(await dispatcher().runOnce()).toMatchObject({ sent: 1 });
  expect(kindsOf(await inbox(sink, email))).toEqual(['invoice_issued', 'invoice_receipt']);

  const again = await admin(`/invoices/${invoice.id}/resend`, { method: 'POST' });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
  expect((await admin('/invoices/in_unknown123/resend', { method: 'POST' })).status).toBe(404);
  expect((await admin('/invoices/not-an-invoice/resend', { method: 'POST' })).status).toBe(422);
  expect(
    (await admin(`/invoices/${invoice.id}/resend`, { method: 'POST', body: '{"kind":"invoice_issued"' })).status,
  ).toBe(400);
  expect(
    (
      await admin(`/invoices/${invoice.id}/resend`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'x'.repeat(100_000) }),
      })
    ).status,
  ).toBe(413);
  await expect(resendInvoiceCommand.run(['--invoice', 'in_x', '--kind', 'nope'], deps)).rejects.toThrow(/--kind/);
});

test('a finalized invoice’s lines come from its mirrored webhook: the mailer reads nothing from Stripe', async () => {
  const { email, invoice } = await paidFirstInvoice();
  const asked: string[] = [];
  const noStripe = createInvoiceMailer({
    db: t.db,
    notifier: notifier(),
    lineSummary: async (id) => {
      asked.push(id);
      return null;
    },
  });
  expect(await noStripe.runOnce()).toMatchObject({ invoices: 1, enqueued: 2, failed: 0 });
  expect(asked).toEqual([]);
  await dispatcher().runOnce();
  const issued = (await inbox(sink, email)).find((m) => m.headers['x-billing-notification'] === 'invoice_issued');
  expect(issued?.text).toContain(`${invoice.lines.data[0]?.description}: $29.00`);
});

test('an invoice mirrored without its lines reads them from Stripe; when Stripe cannot be reached it stays due and is emailed by a later sweep', async () => {
  const { email, invoice } = await paidFirstInvoice();
  // A row from before the mirror kept lines (migration 2026-12-06T0600), or from an event without them.
  await t.db.updateTable('invoices').set({ line_summary: null }).where('stripe_invoice_id', '=', invoice.id).execute();
  const controlUrl = `${stripe.getApiField('protocol')}://${stripe.getApiField('host')}:${stripe.getApiField('port')}/_sim/faults`;
  await fetch(controlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: '500', count: 10, method: 'GET', path: '^/v1/invoices/' }),
  });
  try {
    expect(await mailer().runOnce()).toMatchObject({ invoices: 1, enqueued: 0, failed: 1 });
  } finally {
    await fetch(controlUrl, { method: 'DELETE' });
  }
  expect(await mailer().runOnce()).toMatchObject({ invoices: 1, enqueued: 2, failed: 0 });
  await dispatcher().runOnce();
  const messages = await inbox(sink, email);
  expect(kindsOf(messages)).toEqual(['invoice_issued', 'invoice_receipt']);
  const issued = messages.find((m) => m.headers['x-billing-notification'] === 'invoice_issued');
  expect(issued?.text).toContain(`${invoice.lines.data[0]?.description}: $29.00`);
});

test('a renewal marked uncollectible during a pause with access owes no email and leaves the due set; a dunning-lost one is still emailed', async () => {
  const { org, email, invoice } = await paidFirstInvoice();
  expect((await mailer().runOnce()).enqueued).toBe(2);
  await dispatcher().runOnce();
  await fetch(`${sink.httpUrl}/messages`, { method: 'DELETE' });
  // As Stripe's pause_collection (mark_uncollectible) leaves a renewal: finalized and marked at once, never attempted;
  // and one marked uncollectible at the end of dunning, after its attempts, whose email was never stored.
  const paused = { ...invoice, id: `${invoice.id}_paused`, status: 'uncollectible', attempt_count: 0, amount_paid: 0 };
  const lost = { ...invoice, id: `${invoice.id}_lost`, status: 'uncollectible', attempt_count: 4, amount_paid: 0 };
  await mirror(paused as Stripe.Invoice, org);
  await mirror(lost as Stripe.Invoice, org);

  expect(await mailer().runOnce()).toMatchObject({ invoices: 1, enqueued: 1, failed: 0 });
  // Nothing is left due: the paused renewal is not in the mailer's index to be swept again and again.
  expect(await mailer().runOnce()).toEqual({ invoices: 0, enqueued: 0, failed: 0 });
  await dispatcher().runOnce();
  const issued = (await inbox(sink, email)).filter((m) => m.headers['x-billing-notification'] === 'invoice_issued');
  expect(issued.map((m) => m.subject)).toEqual([expect.stringMatching(/^Invoice /)]);
  const outbox = await t.db
    .selectFrom('email_outbox')
    .select('dedupe_key')
    .where('dedupe_key', 'in', [`invoice_issued:${paused.id}`, `invoice_issued:${lost.id}`])
    .execute();
  expect(outbox.map((r) => r.dedupe_key)).toEqual([`invoice_issued:${lost.id}`]);
  const listed = await invoicesOf(org);
  expect(listed.find((i) => i.stripeInvoiceId === paused.id)?.delivery.invoice.status).toBe('not_required');
});
