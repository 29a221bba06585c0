import { refundInvoiceCommand } from '../../src/cli/commands/refund-invoice';
import type { CliDeps } from '../../src/cli/command';
import { apiClient, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const ADMIN_TOKEN = 'adm_refunds_e2e_0123456789abcdef01234';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { ADMIN_TOKENS: ADMIN_TOKEN } });
  const { syncCatalog } = await import('../../src/stripe/catalog-sync');
  await syncCatalog(stack.stripe);
});
afterAll(async () => {
  await stack?.close();
});

type Invoices = {
  data: {
    stripeInvoiceId: string;
    status: string;
    amountPaid: number;
    refundedAmount: number;
    creditNotes: { number: string; amount: number; refundedAmount: number; reason: string | null }[];
  }[];
};

async function refund(invoiceId: string, body: unknown, key: string, token = ADMIN_TOKEN) {
  const res = await fetch(`${stack.api.url}/api/v1/billing/admin/invoices/${invoiceId}/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted field by field
  return { status: res.status, body: (await res.json()) as any };
}

test('an operator refunds part of a paid invoice and then the rest: credit notes, refunds on the card, one email each, GET /invoices shows them', async () => {
  const org = `org_refund_${Date.now().toString(36)}`;
  const email = `${org}@customers.example`;
  const call = apiClient(stack, await userToken({ org, email }));
  const sub = await call(
    'POST',
    '/subscription',
    { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true },
    { 'idempotency-key': `sub-${org}` },
  );
  expect(sub.status).toBe(201);
  const invoice = await eventually('the first invoice mirrored as paid', async () =>
    (await call<Invoices>('GET', '/invoices')).body.data.find((i) => i.status === 'paid' && i.amountPaid === 2_900),
  );

  const partial = await refund(
    invoice.stripeInvoiceId,
    { amount: 1_000, reason: 'product_unsatisfactory', memo: 'Outage on 3 March' },
    `refund-1-${org}`,
  );
  expect(partial.status).toBe(201);
  expect(partial.body.creditNote).toMatchObject({
    stripeInvoiceId: invoice.stripeInvoiceId,
    organizationId: org,
    amount: 1_000,
    refundedAmount: 1_000,
    reason: 'product_unsatisfactory',
    memo: 'Outage on 3 March',
    actor: expect.stringMatching(/^admin:[0-9a-f]{12}$/),
  });
  // The same request again (a client retry) is the same credit note: one refund, one audit row, one email.
  const again = await refund(
    invoice.stripeInvoiceId,
    { amount: 1_000, reason: 'product_unsatisfactory', memo: 'Outage on 3 March' },
    `refund-1-${org}`,
  );
  expect(again.body.creditNote.stripeCreditNoteId).toBe(partial.body.creditNote.stripeCreditNoteId);

  const tooMuch = await refund(invoice.stripeInvoiceId, { amount: 5_000, reason: 'duplicate' }, `refund-2-${org}`);
  expect(tooMuch.status).toBe(409);
  expect(tooMuch.body.error.details).toMatchObject({ reason: 'amount_too_large', refundable: 1_900 });

  // The rest through the CLI, as an operator at a terminal would.
  const lines: string[] = [];
  const deps = { config: stack.config, db: stack.t.db, out: (l: string) => lines.push(l) } as unknown as CliDeps;
  await refundInvoiceCommand.run(['--invoice', invoice.stripeInvoiceId, '--reason', 'order_change'], deps);
  expect(lines).toEqual([expect.stringMatching(/-CN-02 on in_\S+: \$19\.00 credited, \$19\.00 refunded \(cn_/)]);
  const none = await refund(invoice.stripeInvoiceId, { reason: 'duplicate' }, `refund-3-${org}`);
  expect(none.status).toBe(409);
  expect(none.body.error.details).toMatchObject({ reason: 'nothing_refundable' });

  const listed = (await call<Invoices>('GET', '/invoices')).body.data.find(
    (i) => i.stripeInvoiceId === invoice.stripeInvoiceId,
  );
  expect(listed).toMatchObject({
    refundedAmount: 2_900,
    creditNotes: [
      { amount: 1_000, refundedAmount: 1_000, reason: 'product_unsatisfactory' },
      { amount: 1_900, refundedAmount: 1_900, reason: 'order_change' },
    ],
  });
  const mails = await eventually('two credit-note emails', async () => {
    const m = stack.mail
      .messages({ to: email })
      .filter((x) => x.headers['x-billing-notification'] === 'credit_note_issued');
    return m.length >= 2 ? m : undefined;
  });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(
    stack.mail.messages({ to: email }).filter((x) => x.headers['x-billing-notification'] === 'credit_note_issued'),
  ).toHaveLength(2);
  expect(mails.map((m) => m.subject).sort()).toEqual([
    expect.stringMatching(/^Credit note \S+-CN-01: \$10\.00 credited on invoice /),
    expect.stringMatching(/^Credit note \S+-CN-02: \$19\.00 credited on invoice /),
  ]);
  expect(
    await stack.t.db
      .selectFrom('credit_notes')
      .select(['actor', 'amount'])
      .where('organization_id', '=', org)
      .orderBy('created_at')
      .execute(),
  ).toEqual([
    { actor: expect.stringMatching(/^admin:/), amount: 1000 },
    { actor: expect.stringMatching(/^cli:/), amount: 1900 },
  ]);
});

test('refunds are for operators only, need an Idempotency-Key and a valid body, and an unknown invoice is 404', async () => {
  const userTok = await userToken({ org: 'org_refund_user' });
  expect((await refund('in_whatever', { reason: 'duplicate' }, 'key-12345678', userTok)).status).toBe(401);
  const noKey = await fetch(`${stack.api.url}/api/v1/billing/admin/invoices/in_whatever/refunds`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'duplicate' }),
  });
  expect(noKey.status).toBe(422);
  expect((await refund('in_whatever', { reason: 'because' }, 'key-12345678')).status).toBe(422);
  expect((await refund('in_whatever', { reason: 'duplicate', amount: -5 }, 'key-12345678')).status).toBe(422);
  const missing = await refund('in_missing000', { reason: 'duplicate' }, 'key-12345678');
  expect(missing.status).toBe(404);
  expect(missing.body.error.details).toMatchObject({ reason: 'invoice_not_found' });
});
