import { randomUUID } from 'node:crypto';
import { createInvoiceMailer, stripeLineSummary, type InvoiceMailer } from '../../src/invoice-delivery';
import { billingEmailResolver, createOutboxNotifier } from '../../src/notifications';
import { redriveEvents } from '../../src/webhooks/store';
import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
let stack: Stack;
let mailer: InvoiceMailer;

beforeAll(async () => {
  stack = await startStack();
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
  // The worker's invoice mailer (src/runtime/worker-runtime.ts), on the stack's database, Stripe and outbox.
  const notifier = createOutboxNotifier({
    db: stack.t.db,
    resolveRecipient: billingEmailResolver(stack.t.db),
    publicUrl: 'http://billing.test',
  });
  mailer = createInvoiceMailer({
    db: stack.t.db,
    notifier,
    lineSummary: stripeLineSummary(stack.stripe),
    pollIntervalMs: 200,
  });
  mailer.start();
});
afterAll(async () => {
  await mailer?.stop();
  await stack?.close();
});

type Delivery = { status: string; attempts: number };
type Invoice = {
  stripeInvoiceId: string;
  number: string;
  status: string;
  amountDue: number;
  billingReason: string;
  hostedInvoiceUrl: string;
  invoicePdf: string;
  delivery: { invoice: Delivery; receipt: Delivery };
};

test('a renewal invoice is emailed once, with working links, even when invoice.finalized is delivered three times', async () => {
  const org = `org_renewal_${randomUUID().slice(0, 8)}`;
  const email = `${org}@customers.example`;
  const call = apiClient(stack, await userToken({ org, email }));
  expect((await call('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa' })).status).toBe(
    201,
  );
  const paidCycles = async () =>
    (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.filter(
      (i) => i.billingReason === 'subscription_cycle' && i.status === 'paid',
    );

  // Trial end (the first charge), then one month later the renewal.
  await advanceClock(stack, org, (await clockNow(stack, org)) + 15 * DAY);
  await eventually('the first paid cycle invoice', async () => ((await paidCycles()).length === 1 ? true : undefined));
  await advanceClock(stack, org, (await clockNow(stack, org)) + 31 * DAY);
  const renewal = await eventually('the renewal invoice mirrored as paid', async () => {
    const cycles = await paidCycles();
    return cycles.length === 2 ? cycles[0] : undefined;
  });

  // invoice.finalized of the renewal, delivered twice more, signed as Stripe signs it; then every stored invoice event relayed again.
  const finalized = (await stack.stripe.events.list({ type: 'invoice.finalized', limit: 100 })).data.find(
    (e) => (e.data.object as { id?: string }).id === renewal?.stripeInvoiceId,
  );
  expect(finalized).toBeDefined();
  const payload = JSON.stringify(finalized);
  for (let i = 0; i < 2; i++) {
    const signature = stack.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: stack.config.stripe.webhookSecrets[0] ?? '',
    });
    const res = await fetch(`${stack.api.url}/api/v1/billing/webhooks/stripe`, {
      method: 'POST',
      headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
      body: payload,
    });
    expect(res.status).toBe(200);
  }
  expect(
    await redriveEvents(stack.t.db, {
      from: new Date(0),
      to: new Date(Date.now() + 365 * DAY),
      type: 'invoice.finalized',
    }),
  ).toBeGreaterThan(0);
  stack.relay.nudge();

  const delivered = await eventually('the renewal invoice email and receipt sent', async () => {
    const invoice = (await paidCycles()).find((i) => i.stripeInvoiceId === renewal?.stripeInvoiceId);
    return invoice?.delivery.invoice.status === 'sent' && invoice.delivery.receipt.status === 'sent'
      ? invoice
      : undefined;
  });
  expect(delivered.delivery).toEqual({
    invoice: { status: 'sent', attempts: 1, sentAt: expect.any(String) },
    receipt: { status: 'sent', attempts: 1, sentAt: expect.any(String) },
  });
  // Give a duplicate every chance to appear: several mailer sweeps and dispatcher polls.
  await new Promise((r) => setTimeout(r, 1_500));

  const mails = stack.mail.messages({ to: email });
  const forRenewal = mails.filter((m) => m.subject.includes(delivered.number));
  expect(forRenewal.map((m) => m.headers['x-billing-notification']).sort()).toEqual([
    'invoice_issued',
    'invoice_receipt',
  ]);
  const issued = forRenewal.find((m) => m.headers['x-billing-notification'] === 'invoice_issued');
  expect(issued?.subject).toBe(`Invoice ${delivered.number} for $29.00`);
  expect(issued?.text).toContain('the renewal of your subscription');
  for (const link of [delivered.hostedInvoiceUrl, delivered.invoicePdf]) {
    expect(issued?.html).toContain(`href="${link}"`);
    const res = await fetch(link);
    expect(res.status).toBe(200);
  }
  // The trial's $0 invoice owes no email; the two paid cycles one invoice email and one receipt each.
  const kinds = mails.map((m) => m.headers['x-billing-notification']).filter((k) => k?.startsWith('invoice_'));
  expect(kinds.sort()).toEqual(['invoice_issued', 'invoice_issued', 'invoice_receipt', 'invoice_receipt']);
  const trial = (await call<{ data: Invoice[] }>('GET', '/invoices')).body.data.find((i) => i.amountDue === 0);
  expect(trial?.delivery).toEqual({
    invoice: { status: 'not_required', attempts: 0, sentAt: null },
    receipt: { status: 'not_required', attempts: 0, sentAt: null },
  });
});
