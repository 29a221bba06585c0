import type { NewInvoiceRow } from '../../../src/db/read-models/invoices';
import type { NewEmailOutboxRow } from '../../../src/db/schema';
import {
  billingSuccessMetrics,
  emailDeliveryMetrics,
  paymentMetrics,
  revenueRecovery,
} from '../../../src/health-report/store';
import { createTestDb, type TestDb } from '../../helpers/db';

const NOVEMBER = { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
const inNovember = new Date('2026-11-15T12:00:00Z');

let t: TestDb;
let seq = 0;

function invoice(fields: Partial<NewInvoiceRow> & Pick<NewInvoiceRow, 'status' | 'amount_due'>): NewInvoiceRow {
  seq += 1;
  return {
    organization_id: `org_${seq}`,
    stripe_invoice_id: `in_metrics_${seq}`,
    currency: 'usd',
    stripe_created_at: inNovember,
    source_event_created_at: inNovember,
    ...fields,
  };
}

function email(status: NewEmailOutboxRow['status'], createdAt = inNovember): NewEmailOutboxRow {
  seq += 1;
  return {
    dedupe_key: `metrics:${seq}`,
    organization_id: 'org_mail',
    kind: 'payment_failed',
    to_address: status === 'failed' ? null : 'billing@customer.test',
    subject: 's',
    text_body: 't',
    status,
    created_at: createdAt,
  };
}

beforeAll(async () => {
  t = await createTestDb();
  await t.db
    .insertInto('invoices')
    .values([
      invoice({ status: 'paid', amount_due: 2900, amount_paid: 2900, attempt_count: 1 }),
      invoice({ status: 'paid', amount_due: 9900, amount_paid: 9900, attempt_count: 1 }),
      invoice({ status: 'paid', amount_due: 2900, amount_paid: 2900, attempt_count: 3 }),
      invoice({ status: 'uncollectible', amount_due: 9900, attempt_count: 4 }),
      invoice({ status: 'open', amount_due: 2900, attempt_count: 2 }),
      invoice({ status: 'void', amount_due: 2900, attempt_count: 1 }),
      invoice({ status: 'draft', amount_due: 2900 }),
      invoice({ status: 'paid', amount_due: 0, attempt_count: 0 }),
      invoice({
        status: 'paid',
        amount_due: 2900,
        amount_paid: 2900,
        attempt_count: 3,
        stripe_created_at: new Date('2026-10-31T23:59:59Z'),
      }),
      invoice({ status: 'paid', amount_due: 5000, amount_paid: 5000, attempt_count: 2, currency: 'eur' }),
      invoice({ status: 'uncollectible', amount_due: 4000, amount_paid: 1000, attempt_count: 4, currency: 'eur' }),
    ])
    .execute();
  await t.db
    .insertInto('email_outbox')
    .values([
      email('sent'),
      email('sent'),
      email('sent'),
      email('failed'),
      email('pending'),
      email('sent', new Date('2026-12-01T00:00:00Z')),
    ])
    .execute();
});
afterAll(() => t.destroy());

describe('billing success metrics', () => {
  test('payment success rate counts invoices paid on the first attempt among finalized invoices with an amount', async () => {
    expect(await paymentMetrics(t.db, NOVEMBER)).toEqual({
      finalizedInvoices: 7,
      paidOnFirstAttempt: 2,
      retriedInvoices: 5,
      paymentSuccessRate: 2 / 7,
      retryRate: 5 / 7,
    });
  });

  test('recovered revenue is what retried invoices finally paid; lost revenue is what uncollectible invoices left unpaid, per currency', async () => {
    expect(await revenueRecovery(t.db, NOVEMBER)).toEqual([
      { currency: 'eur', recovered: 5000, recoveredInvoices: 1, lost: 3000, lostInvoices: 1 },
      { currency: 'usd', recovered: 2900, recoveredInvoices: 1, lost: 9900, lostInvoices: 1 },
    ]);
  });

  test('email delivery rate is sent over settled messages; pending ones are reported apart', async () => {
    expect(await emailDeliveryMetrics(t.db, NOVEMBER)).toEqual({
      enqueued: 5,
      sent: 3,
      failed: 1,
      inFlight: 1,
      deliveryRate: 3 / 4,
    });
  });

  test('a range without data gives counts of zero and no rates rather than dividing by zero', async () => {
    const empty = await billingSuccessMetrics(t.db, {
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
    });
    expect(empty.payments).toEqual({
      finalizedInvoices: 0,
      paidOnFirstAttempt: 0,
      retriedInvoices: 0,
      paymentSuccessRate: null,
      retryRate: null,
    });
    expect(empty.revenue).toEqual([]);
    expect(empty.email.deliveryRate).toBeNull();
  });
});
