import { sql } from 'kysely';
import type { Db } from './database';

/**
 * The seed's success criteria, computed from the read models. A range is half-open, [from, to);
 * invoices are placed in it by their Stripe creation time and emails by when they were enqueued, so
 * a number for a past month does not change as late retries settle (the invoice stays in its month).
 */
export interface MetricsRange {
  from: Date;
  to: Date;
}

export interface PaymentMetrics {
  /** Open, paid or uncollectible invoices with something to collect; drafts, voids and $0 invoices are not payments. */
  finalizedInvoices: number;
  paidOnFirstAttempt: number;
  /** Invoices that needed more than one payment attempt, whatever the outcome. */
  retriedInvoices: number;
  /** paidOnFirstAttempt / finalizedInvoices; null when there is nothing to measure. */
  paymentSuccessRate: number | null;
  /** retriedInvoices / finalizedInvoices. */
  retryRate: number | null;
}

export interface RevenueRecovery {
  currency: string;
  /** Minor units paid on invoices that succeeded only after a retry. */
  recovered: number;
  recoveredInvoices: number;
  /** Minor units left unpaid on invoices marked uncollectible (dunning ended without payment). */
  lost: number;
  lostInvoices: number;
}

export interface EmailDeliveryMetrics {
  enqueued: number;
  sent: number;
  /** Given up: no recipient, permanent rejection, or retries exhausted. */
  failed: number;
  /** Still pending or being sent: not yet counted for or against the rate. */
  inFlight: number;
  /** sent / (sent + failed); null when nothing has settled. */
  deliveryRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export async function paymentMetrics(db: Db, range: MetricsRange): Promise<PaymentMetrics> {
  const row = await db
    .selectFrom('invoices')
    .select([
      sql<number>`count(*)::int`.as('finalized'),
      sql<number>`(count(*) filter (where status = 'paid' and attempt_count <= 1))::int`.as('first_attempt'),
      sql<number>`(count(*) filter (where attempt_count > 1))::int`.as('retried'),
    ])
    .where('status', 'in', ['open', 'paid', 'uncollectible'])
    .where('amount_due', '>', 0)
    .where('stripe_created_at', '>=', range.from)
    .where('stripe_created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  return {
    finalizedInvoices: row.finalized,
    paidOnFirstAttempt: row.first_attempt,
    retriedInvoices: row.retried,
    paymentSuccessRate: ratio(row.first_attempt, row.finalized),
    retryRate: ratio(row.retried, row.finalized),
  };
}

/** Per currency: amounts in different currencies are never added together. */
export async function revenueRecovery(db: Db, range: MetricsRange): Promise<RevenueRecovery[]> {
  const recoveredFilter = sql`status = 'paid' and attempt_count > 1`;
  const lostFilter = sql`status = 'uncollectible'`;
  const rows = await db
    .selectFrom('invoices')
    .select([
      sql<string>`lower(currency)`.as('currency'),
      sql<number>`coalesce(sum(amount_paid) filter (where ${recoveredFilter}), 0)::bigint`.as('recovered'),
      sql<number>`(count(*) filter (where ${recoveredFilter}))::int`.as('recovered_invoices'),
      sql<number>`coalesce(sum(amount_due - amount_paid) filter (where ${lostFilter}), 0)::bigint`.as('lost'),
      sql<number>`(count(*) filter (where ${lostFilter}))::int`.as('lost_invoices'),
    ])
    .where('stripe_created_at', '>=', range.from)
    .where('stripe_created_at', '<', range.to)
    .groupBy(sql`lower(currency)`)
    .having(sql<boolean>`count(*) filter (where ${recoveredFilter} or ${lostFilter}) > 0`)
    .orderBy(sql`lower(currency)`)
    .execute();
  return rows.map((r) => ({
    currency: r.currency,
    recovered: r.recovered,
    recoveredInvoices: r.recovered_invoices,
    lost: r.lost,
    lostInvoices: r.lost_invoices,
  }));
}

export async function emailDeliveryMetrics(db: Db, range: MetricsRange): Promise<EmailDeliveryMetrics> {
  const row = await db
    .selectFrom('email_outbox')
    .select([
      sql<number>`count(*)::int`.as('enqueued'),
      sql<number>`(count(*) filter (where status = 'sent'))::int`.as('sent'),
      sql<number>`(count(*) filter (where status = 'failed'))::int`.as('failed'),
    ])
    .where('created_at', '>=', range.from)
    .where('created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  return {
    enqueued: row.enqueued,
    sent: row.sent,
    failed: row.failed,
    inFlight: row.enqueued - row.sent - row.failed,
    deliveryRate: ratio(row.sent, row.sent + row.failed),
  };
}

export interface BillingSuccessMetrics {
  range: MetricsRange;
  payments: PaymentMetrics;
  revenue: RevenueRecovery[];
  email: EmailDeliveryMetrics;
}

export async function billingSuccessMetrics(db: Db, range: MetricsRange): Promise<BillingSuccessMetrics> {
  const [payments, revenue, email] = await Promise.all([
    paymentMetrics(db, range),
    revenueRecovery(db, range),
    emailDeliveryMetrics(db, range),
  ]);
  return { range, payments, revenue, email };
}
