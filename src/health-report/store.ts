import { sql } from 'kysely';
import type { Db } from '../db/database';

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
    // An open invoice Stripe has not tried to collect yet is neither a success nor a failure so far.
    .where((eb) => eb.or([eb('status', '<>', 'open'), eb('attempt_count', '>', 0)]))
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

export interface WebhookProcessingMetrics {
  /** Stripe events stored by the webhook endpoint (placed in the range by Stripe's `created`). */
  received: number;
  /** Events whose processing (mirror + relay to the workflow) failed at least once. */
  failed: number;
  /** Of those, still not processed: waiting for their next retry. */
  stillFailing: number;
  /** failed / received. */
  failureRate: number | null;
}

/** Relay attempts are only counted up by a failure (the webhooks store's recordOutcomes), so `relay_attempts > 0` is "failed at least once". */
export async function webhookProcessingMetrics(db: Db, range: MetricsRange): Promise<WebhookProcessingMetrics> {
  const row = await db
    .selectFrom('stripe_events')
    .select([
      sql<number>`count(*)::int`.as('received'),
      sql<number>`(count(*) filter (where relay_attempts > 0))::int`.as('failed'),
      sql<number>`(count(*) filter (where relay_attempts > 0 and relay_status = 'pending'))::int`.as('still_failing'),
    ])
    .where('stripe_created_at', '>=', range.from)
    .where('stripe_created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  return { received: row.received, failed: row.failed, stillFailing: row.still_failing, failureRate: ratio(row.failed, row.received) };
}

export interface InvoiceEmailCounts {
  /** Emails the invoices owe (see src/domain/invoice-emails.ts). */
  required: number;
  sent: number;
  failed: number;
  /** In the outbox, not yet accepted by the mail server. */
  pending: number;
  /** Owed but not in the outbox (the mailer has not stored it, or the invoice predates invoice emails). */
  notQueued: number;
}

export interface InvoiceDeliveryMetrics extends InvoiceEmailCounts {
  invoiceEmails: InvoiceEmailCounts;
  receipts: InvoiceEmailCounts;
  /** sent / required over both kinds: the seed's "100 % invoice delivery". */
  deliveryRate: number | null;
}

/** Invoice emails and receipts of the invoices created in the range, through their outbox rows. */
export async function invoiceDeliveryMetrics(db: Db, range: MetricsRange): Promise<InvoiceDeliveryMetrics> {
  const issuedOwed = sql`i.status in ('open', 'paid', 'uncollectible') and i.amount_due > 0`;
  const receiptOwed = sql`i.status = 'paid' and i.amount_paid > 0`;
  const counts = (owed: typeof issuedOwed, outbox: 'oi' | 'orc', prefix: string) => [
    sql<number>`(count(*) filter (where ${owed}))::int`.as(`${prefix}_required`),
    sql<number>`(count(*) filter (where ${owed} and ${sql.ref(`${outbox}.status`)} = 'sent'))::int`.as(`${prefix}_sent`),
    sql<number>`(count(*) filter (where ${owed} and ${sql.ref(`${outbox}.status`)} = 'failed'))::int`.as(`${prefix}_failed`),
    sql<number>`(count(*) filter (where ${owed} and ${sql.ref(`${outbox}.status`)} in ('pending', 'sending')))::int`.as(`${prefix}_pending`),
  ];
  const row = await db
    .selectFrom('invoices as i')
    .leftJoin('email_outbox as oi', (join) => join.on('oi.dedupe_key', '=', sql<string>`'invoice_issued:' || i.stripe_invoice_id`))
    .leftJoin('email_outbox as orc', (join) => join.on('orc.dedupe_key', '=', sql<string>`'invoice_receipt:' || i.stripe_invoice_id`))
    .select([...counts(issuedOwed, 'oi', 'issued'), ...counts(receiptOwed, 'orc', 'receipt')])
    .where('i.stripe_created_at', '>=', range.from)
    .where('i.stripe_created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  const r = row as unknown as Record<string, number>;
  const kind = (prefix: string): InvoiceEmailCounts => {
    const [required, sent, failed, pending] = ['required', 'sent', 'failed', 'pending'].map((f) => r[`${prefix}_${f}`] ?? 0) as [number, number, number, number];
    return { required, sent, failed, pending, notQueued: required - sent - failed - pending };
  };
  const invoiceEmails = kind('issued');
  const receipts = kind('receipt');
  const total = (f: keyof InvoiceEmailCounts) => invoiceEmails[f] + receipts[f];
  return {
    required: total('required'),
    sent: total('sent'),
    failed: total('failed'),
    pending: total('pending'),
    notQueued: total('notQueued'),
    invoiceEmails,
    receipts,
    deliveryRate: ratio(total('sent'), total('required')),
  };
}

export interface BillingSuccessMetrics {
  range: MetricsRange;
  payments: PaymentMetrics;
  revenue: RevenueRecovery[];
  email: EmailDeliveryMetrics;
  webhooks: WebhookProcessingMetrics;
  invoiceDelivery: InvoiceDeliveryMetrics;
}

export async function billingSuccessMetrics(db: Db, range: MetricsRange): Promise<BillingSuccessMetrics> {
  const [payments, revenue, email, webhooks, invoiceDelivery] = await Promise.all([
    paymentMetrics(db, range),
    revenueRecovery(db, range),
    emailDeliveryMetrics(db, range),
    webhookProcessingMetrics(db, range),
    invoiceDeliveryMetrics(db, range),
  ]);
  return { range, payments, revenue, email, webhooks, invoiceDelivery };
}
