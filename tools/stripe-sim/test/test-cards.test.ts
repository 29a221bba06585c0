import Stripe from 'stripe';
import { TEST_CARD_ROWS, type CardDecline, type TestCard } from '../billing/test-cards';
import {
  CONTRACT_CHECK_TIMEOUT_MS,
  closeCheckingContract,
  createCatalog,
  startSimulator,
  type SimHarness,
} from './support';

/**
 * One test per documented test card and way of using it, generated from the table the README shows
 * (billing/test-cards.ts). Each expectation is the table's column as Stripe documents it; the simulator's code
 * paths (attach, SetupIntent, PaymentIntent, subscription billing) must produce it.
 */
/** The 402 must carry exactly the table's code, decline_code and advice_code (an advice code where the table has none fails too). */
async function expectDecline(request: Promise<unknown>, d: CardDecline | null): Promise<void> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  const raw = (error as Stripe.errors.StripeCardError).raw as {
    code?: string;
    decline_code?: string;
    advice_code?: string;
  };
  expect({
    status: (error as Stripe.errors.StripeCardError).statusCode,
    code: raw.code,
    decline_code: raw.decline_code ?? null,
    advice_code: raw.advice_code ?? null,
  }).toEqual({ status: 402, code: d?.code, decline_code: d?.declineCode ?? null, advice_code: d?.adviceCode ?? null });
}

describe("Stripe's test cards, as the README table documents them", () => {
  let h: SimHarness;
  let price: Stripe.Price;
  beforeAll(async () => {
    h = await startSimulator();
    ({ starter: price } = await createCatalog(h.stripe, 'cards'));
  });
  afterAll(async () => {
    await closeCheckingContract(h);
  }, CONTRACT_CHECK_TIMEOUT_MS);

  const customer = () => h.stripe.customers.create({ email: 'cards@example.com' });

  test.each(TEST_CARD_ROWS)('$paymentMethod: attaching to a customer $attach', async (card: TestCard) => {
    const c = await customer();
    const attach = h.stripe.paymentMethods.attach(card.paymentMethod, { customer: c.id });
    if (card.attach === 'attaches') {
      await expect(attach).resolves.toMatchObject({
        customer: c.id,
        card: { brand: card.brand, last4: card.last4, funding: card.funding },
      });
    } else {
      await expectDecline(attach, card.decline);
    }
  });

  test.each(TEST_CARD_ROWS)('$paymentMethod: confirming a SetupIntent $setup', async (card: TestCard) => {
    const c = await customer();
    const setup = h.stripe.setupIntents.create({
      customer: c.id,
      payment_method: card.paymentMethod,
      confirm: true,
      usage: 'off_session',
    });
    if (card.setup === 'declines') {
      await expectDecline(setup, card.decline);
      return;
    }
    const si = await setup;
    expect(si.status).toBe(card.setup === 'succeeds' ? 'succeeded' : 'requires_action');
    if (card.setup === 'requires_action') expect(si.next_action?.type).toBe('use_stripe_sdk');
  });

  test.each(TEST_CARD_ROWS)('$paymentMethod: a payment off session $offSession', async (card: TestCard) => {
    const c = await customer();
    const pay = h.stripe.paymentIntents.create({
      amount: 1_000,
      currency: 'eur',
      customer: c.id,
      payment_method: card.paymentMethod,
      confirm: true,
      off_session: true,
    });
    if (card.offSession === 'succeeds')
      await expect(pay).resolves.toMatchObject({ status: 'succeeded', amount_received: 1_000 });
    else await expectDecline(pay, card.decline);
  });

  test.each(TEST_CARD_ROWS)(
    '$paymentMethod: subscribing with error_if_incomplete (on session: $onSession)',
    async (card: TestCard) => {
      const c = await customer();
      if (card.attach === 'declines') {
        // The card cannot become the customer's: Stripe refuses it before any subscription can use it.
        await expectDecline(h.stripe.paymentMethods.attach(card.paymentMethod, { customer: c.id }), card.decline);
        return;
      }
      const pm = await h.stripe.paymentMethods.attach(card.paymentMethod, { customer: c.id });
      const create = h.stripe.subscriptions.create({
        customer: c.id,
        items: [{ price: price.id }],
        default_payment_method: pm.id,
        payment_behavior: 'error_if_incomplete',
      });
      if (card.onSession === 'succeeds') await expect(create).resolves.toMatchObject({ status: 'active' });
      else if (card.onSession === 'requires_action')
        await expect(create).rejects.toMatchObject({ statusCode: 402, code: 'authentication_required' });
      else await expectDecline(create, card.decline);
      if (card.onSession !== 'succeeds')
        expect((await h.stripe.subscriptions.list({ customer: c.id, status: 'all' })).data).toHaveLength(0);
    },
  );

  test.each(TEST_CARD_ROWS)(
    '$paymentMethod: subscribing with default_incomplete, then paying the first invoice on session ($onSession)',
    async (card: TestCard) => {
      const c = await customer();
      const sub = await h.stripe.subscriptions.create({
        customer: c.id,
        items: [{ price: price.id }],
        payment_behavior: 'default_incomplete',
        expand: ['latest_invoice.confirmation_secret', 'latest_invoice.payments'],
      });
      const invoice = sub.latest_invoice as Stripe.Invoice;
      expect(sub.status).toBe('incomplete');
      const intentId = invoice.payments?.data[0]?.payment.payment_intent as string;
      const intent = await h.stripe.paymentIntents.retrieve(intentId);
      expect(intent).toMatchObject({ status: 'requires_payment_method', amount: invoice.amount_due });
      expect(invoice.confirmation_secret).toEqual({ type: 'payment_intent', client_secret: intent.client_secret });
      const confirm = h.stripe.paymentIntents.confirm(intentId, { payment_method: card.paymentMethod });
      if (card.onSession === 'declines') {
        await expectDecline(confirm, card.decline);
        expect((await h.stripe.paymentIntents.retrieve(intentId)).last_payment_error).toMatchObject({
          code: card.decline?.code,
        });
      } else {
        expect((await confirm).status).toBe(card.onSession === 'succeeds' ? 'succeeded' : 'requires_action');
      }
      expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe(
        card.onSession === 'succeeds' ? 'active' : 'incomplete',
      );
    },
  );
});
