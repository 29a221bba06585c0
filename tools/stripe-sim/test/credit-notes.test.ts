import type Stripe from 'stripe';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  closeCheckingContract,
  createCatalog,
  customerOnClock,
  eventTypes,
  startSimulator,
  utc,
  type SimHarness,
} from './support';

describe('credit notes and refunds on paid invoices', () => {
  let h: SimHarness;
  let paid: Stripe.Invoice;
  let customer: Stripe.Customer;
  beforeAll(async () => {
    h = await startSimulator();
    const { starter } = await createCatalog(h.stripe, 'credit');
    ({ customer } = await customerOnClock(h.stripe, utc(2026, 3, 1)));
    const sub = await h.stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      expand: ['latest_invoice'],
    });
    paid = sub.latest_invoice as Stripe.Invoice;
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 2_900 });
  });
  afterAll(() => closeCheckingContract(h), CONTRACT_CHECK_TIMEOUT_MS);

  const chargeOf = async (invoice: Stripe.Invoice) => {
    const intents = await h.stripe.paymentIntents.list({ customer: customer.id });
    const pi = intents.data.find((p) => p.amount === invoice.amount_paid);
    return h.stripe.charges.retrieve(pi!.latest_charge as string);
  };

  it('refuses settlements that do not add up to the amount, and unknown invoices', async () => {
    await expect(h.stripe.creditNotes.create({ invoice: paid.id, amount: 500 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'refund_amount',
    });
    await expect(h.stripe.creditNotes.create({ invoice: 'in_missing', amount: 500 })).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });
  it('a partial refund is a credit note with a Refund on the charge; the rest can be credited later, not more', async () => {
    const first = await h.stripe.creditNotes.create({
      invoice: paid.id,
      amount: 1_000,
      refund_amount: 1_000,
      reason: 'product_unsatisfactory',
      memo: 'Outage on 3 March',
    });
    expect(first).toMatchObject({
      object: 'credit_note',
      amount: 1_000,
      total: 1_000,
      status: 'issued',
      type: 'post_payment',
      reason: 'product_unsatisfactory',
      memo: 'Outage on 3 March',
      refunds: [{ amount_refunded: 1_000, type: 'refund', refund: expect.stringMatching(/^re_/) }],
      number: expect.stringMatching(/-CN-01$/),
    });
    expect((await chargeOf(paid)).amount_refunded).toBe(1_000);
    expect(await h.stripe.refunds.retrieve(first.refunds[0]!.refund as string)).toMatchObject({
      amount: 1_000,
      status: 'succeeded',
      charge: (await chargeOf(paid)).id,
    });
    expect((await h.stripe.invoices.retrieve(paid.id)).post_payment_credit_notes_amount).toBe(1_000);
    expect(await eventTypes(h.stripe, first.id)).toEqual(['credit_note.created']);

    const rest = await h.stripe.creditNotes.create({ invoice: paid.id, refund_amount: 1_900 });
    expect(rest).toMatchObject({ amount: 1_900, number: expect.stringMatching(/-CN-02$/) });
    const charge = await chargeOf(paid);
    expect(charge).toMatchObject({ amount_refunded: 2_900, refunded: true });
    expect(await eventTypes(h.stripe, charge.id)).toContain('charge.refunded');
    await expect(h.stripe.creditNotes.create({ invoice: paid.id, amount: 1, refund_amount: 1 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'amount',
    });
    const listed = await h.stripe.creditNotes.list({ invoice: paid.id });
    expect(listed.data.map((c) => c.id)).toEqual([rest.id, first.id]);
    expect((await h.stripe.creditNotes.retrieve(first.id)).id).toBe(first.id);
    const pdf = await fetch(first.pdf);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
  });
});
