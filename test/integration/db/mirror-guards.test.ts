import { upsertInvoice, upsertInvoices, type NewInvoiceRow } from '../../../src/db/read-models/invoices';
import {
  upsertPaymentMethod,
  upsertPaymentMethods,
  type NewPaymentMethodRow,
} from '../../../src/db/read-models/payment-methods';
import { uid } from '../../fixtures/stripe-events';
import { createTestDb, type TestDb } from '../../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

const T = Date.UTC(2026, 11, 1, 12) / 1000;
const at = (second: number) => new Date((T + second) * 1000);

function invoice(id: string, status: string, second: number, amountPaid = 0): NewInvoiceRow {
  return {
    organization_id: 'org_guards',
    stripe_invoice_id: id,
    stripe_subscription_id: null,
    number: null,
    status,
    currency: 'usd',
    amount_due: 4900,
    amount_paid: amountPaid,
    amount_remaining: 4900 - amountPaid,
    billing_reason: null,
    attempt_count: 1,
    hosted_invoice_url: null,
    invoice_pdf: null,
    period_start: null,
    period_end: null,
    due_date: null,
    paid_at: null,
    stripe_created_at: at(0),
    source_event_created_at: at(second),
  };
}

function card(id: string, second: number, detached: boolean, brand = 'visa'): NewPaymentMethodRow {
  return {
    organization_id: 'org_guards',
    stripe_payment_method_id: id,
    type: 'card',
    brand,
    last4: '4242',
    exp_month: 12,
    exp_year: 2030,
    detached_at: detached ? at(second) : null,
    source_event_created_at: at(second),
  };
}

const invoiceState = (id: string) =>
  t.db
    .selectFrom('invoices')
    .select(['status', 'amount_paid', 'source_event_created_at'])
    .where('stripe_invoice_id', '=', id)
    .executeTakeFirstOrThrow();
const cardState = (id: string) =>
  t.db
    .selectFrom('payment_methods')
    .select(['brand', 'detached_at', 'source_event_created_at'])
    .where('stripe_payment_method_id', '=', id)
    .executeTakeFirstOrThrow();

/** Every order of the observations, the end state of a batch is the one applying them one by one gives (one guard, in SQL). */
function permutations<X>(xs: readonly X[]): X[][] {
  return xs.length <= 1
    ? [[...xs]]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

describe('a batch of invoice observations ends as applying them one by one does', () => {
  const observations: [string, number, number][] = [
    ['draft', 0, 0],
    ['open', 5, 0],
    ['paid', 5, 4900],
    ['open', 3, 0],
  ];
  test.each(
    permutations(observations).map((order) => [order.map(([s, sec]) => `${s}@${sec}`).join(' '), order] as const),
  )('%s', async (_name, order) => {
    const [batched, oneByOne] = [uid('in'), uid('in')];
    await upsertInvoices(
      t.db,
      order.map(([status, second, paid]) => invoice(batched, status, second, paid)),
    );
    for (const [status, second, paid] of order) await upsertInvoice(t.db, invoice(oneByOne, status, second, paid));
    const expected = await invoiceState(oneByOne);
    expect(expected).toEqual({ status: 'paid', amount_paid: 4900, source_event_created_at: at(5) });
    expect(await invoiceState(batched)).toEqual(expected);
  });
});

describe('a batch of payment-method observations ends as applying them one by one does', () => {
  const observations: [number, boolean, string][] = [
    [1, false, 'visa'],
    [4, false, 'mastercard'],
    [4, true, 'amex'],
    [2, false, 'discover'],
  ];
  test.each(
    permutations(observations).map(
      (order) =>
        [
          order.map(([sec, detached, brand]) => `${brand}@${sec}${detached ? ' detached' : ''}`).join(' '),
          order,
        ] as const,
    ),
  )('%s', async (_name, order) => {
    const [batched, oneByOne] = [uid('pm'), uid('pm')];
    await upsertPaymentMethods(
      t.db,
      order.map(([second, detached, brand]) => card(batched, second, detached, brand)),
    );
    for (const [second, detached, brand] of order)
      await upsertPaymentMethod(t.db, card(oneByOne, second, detached, brand));
    const expected = await cardState(oneByOne);
    expect(expected).toMatchObject({ detached_at: at(4), source_event_created_at: at(4) });
    expect(await cardState(batched)).toEqual(expected);
  });
});

test('several invoices with repeated observations in one batch each end on their newest state', async () => {
  const [a, b] = [uid('in'), uid('in')];
  await upsertInvoices(t.db, [
    invoice(a, 'open', 1),
    invoice(b, 'open', 1),
    invoice(a, 'paid', 2, 4900),
    invoice(b, 'draft', 0),
    invoice(a, 'open', 1),
  ]);
  expect(await invoiceState(a)).toMatchObject({ status: 'paid', source_event_created_at: at(2) });
  expect(await invoiceState(b)).toMatchObject({ status: 'open', source_event_created_at: at(1) });
});
