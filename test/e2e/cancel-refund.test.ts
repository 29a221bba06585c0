import { advanceClock, apiClient, clockNow, eventually, startStack, type Stack } from '../helpers/stack';
import { userToken } from '../helpers/tokens';

jest.setTimeout(180_000);

const DAY = 86_400_000;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { CANCEL_REFUND: 'prorated' } });
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
    creditNotes: { amount: number; refundedAmount: number; reason: string | null }[];
  }[];
};
type Sub = { subscription: { status: string; stripeSubscriptionId?: string } | null; effectivePlan: string };

async function customer(label: string) {
  const org = `org_${label}_${Date.now().toString(36)}`;
  const email = `${org}@customers.example`;
  return { org, email, call: apiClient(stack, await userToken({ org, email })) };
}

const creditNoteMails = (email: string) =>
  stack.mail.messages({ to: email }).filter((m) => m.headers['x-billing-notification'] === 'credit_note_issued');

test('an immediate cancel ten days into a paid month refunds the unused twenty days to the card: a credit note, an audit row, one email', async () => {
  const { org, email, call } = await customer('cancel_refund');
  const created = await call('POST', '/subscription', {
    planId: 'starter',
    paymentMethodId: 'pm_card_visa',
    skipTrial: true,
  });
  expect(created.status).toBe(201);
  const paid = await eventually('the first invoice paid in the read model', async () =>
    (await call<Invoices>('GET', '/invoices')).body.data.find((i) => i.status === 'paid' && i.amountPaid === 2_900),
  );
  await advanceClock(stack, org, (await clockNow(stack, org)) + 10 * DAY);

  const canceled = await call<Sub>('DELETE', '/subscription?immediate=true');
  expect(canceled.status).toBe(200);
  expect(canceled.body.subscription?.status).toBe('canceled');
  expect(canceled.body.effectivePlan).toBe('free');

  // What Stripe says: the cancel's time and the period the invoice's plan line bought.
  const stripeInvoice = await stack.stripe.invoices.retrieve(paid.stripeInvoiceId);
  const subscriptionId = stripeInvoice.parent?.subscription_details?.subscription as string;
  const sub = await stack.stripe.subscriptions.retrieve(subscriptionId);
  const { start, end } = stripeInvoice.lines.data[0]!.period;
  const expected = Math.floor((2_900 * (end - (sub.canceled_at as number))) / (end - start));
  expect(expected).toBeGreaterThan(1_800); // about 20 of 30 or 31 days
  expect(expected).toBeLessThan(2_000);

  const listed = await eventually('the credit note beside its invoice', async () => {
    const invoice = (await call<Invoices>('GET', '/invoices')).body.data.find(
      (i) => i.stripeInvoiceId === paid.stripeInvoiceId,
    );
    return invoice && invoice.creditNotes.length > 0 ? invoice : undefined;
  });
  expect(listed).toMatchObject({
    refundedAmount: expected,
    creditNotes: [{ amount: expected, refundedAmount: expected, reason: 'order_change' }],
  });
  const notes = await stack.stripe.creditNotes.list({ invoice: paid.stripeInvoiceId });
  expect(notes.data).toHaveLength(1);
  expect(notes.data[0]).toMatchObject({ amount: expected, reason: 'order_change' });
  const audit = await stack.t.db
    .selectFrom('credit_notes')
    .select(['actor', 'amount'])
    .where('stripe_invoice_id', '=', paid.stripeInvoiceId)
    .execute();
  expect(audit).toEqual([{ actor: 'policy:cancel_refund', amount: expected }]);

  // The cancel's activity retried after its credit note (a later step failed, the worker died): the same key finds
  // the same credit note before anything is recomputed; nothing more is refunded, no second row or email.
  const [stored] = await stack.t.db
    .selectFrom('credit_notes')
    .select(['idempotency_key', 'stripe_credit_note_id'])
    .where('stripe_invoice_id', '=', paid.stripeInvoiceId)
    .execute();
  expect(stored?.idempotency_key).toMatch(/^cancel_refund:sub_/);
  const { refundInvoice } = await import('../../src/refunds/refund-invoice');
  const { createOutboxNotifier, billingEmailResolver } = await import('../../src/notifications');
  const notifier = createOutboxNotifier({
    db: stack.t.db,
    resolveRecipient: billingEmailResolver(stack.t.db),
    publicUrl: 'http://127.0.0.1',
  });
  const again = await refundInvoice(
    { db: stack.t.db, stripe: stack.stripe, notifier },
    {
      stripeInvoiceId: paid.stripeInvoiceId,
      reason: 'order_change',
      actor: 'policy:cancel_refund',
      idempotencyKey: stored!.idempotency_key!,
    },
  );
  expect(again).toMatchObject({ stripeCreditNoteId: stored!.stripe_credit_note_id, amount: expected });
  expect((await stack.stripe.creditNotes.list({ invoice: paid.stripeInvoiceId })).data).toHaveLength(1);
  await eventually('the credit-note email', async () => (creditNoteMails(email).length > 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1_000));
  expect(creditNoteMails(email)).toHaveLength(1);
});

test('nothing is refunded for a cancel at period end, nor for a trial canceled at once (nothing was paid)', async () => {
  const atEnd = await customer('cancel_at_end');
  expect(
    (await atEnd.call('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa', skipTrial: true }))
      .status,
  ).toBe(201);
  const paid = await eventually('the first invoice paid', async () =>
    (await atEnd.call<Invoices>('GET', '/invoices')).body.data.find((i) => i.status === 'paid'),
  );
  expect((await atEnd.call('DELETE', '/subscription')).status).toBe(200);

  const trial = await customer('cancel_trial');
  expect(
    (await trial.call('POST', '/subscription', { planId: 'starter', paymentMethodId: 'pm_card_visa' })).status,
  ).toBe(201);
  const ended = await trial.call<Sub>('DELETE', '/subscription?immediate=true');
  expect(ended.body.subscription?.status).toBe('canceled');

  await new Promise((r) => setTimeout(r, 1_500));
  expect((await stack.stripe.creditNotes.list({ invoice: paid.stripeInvoiceId })).data).toHaveLength(0);
  const rows = await stack.t.db
    .selectFrom('credit_notes')
    .select('organization_id')
    .where('organization_id', 'in', [atEnd.org, trial.org])
    .execute();
  expect(rows).toEqual([]);
  expect([...creditNoteMails(atEnd.email), ...creditNoteMails(trial.email)]).toEqual([]);
});
