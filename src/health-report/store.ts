import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../db/database';
import type { Database } from '../db/schema';

/**
 * The seed's success criteria, computed from the read models. A range is half-open, [from, to);
 * invoices are placed in it by their Stripe creation time and emails by when they were enqueued, so
 * a number for a past month does not change as late retries settle (the invoice stays in its month).
 */
export interface MetricsRange {
  from: Date;
  to: Date;
}

export interface PaymentSuccessMetrics {
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

export async function paymentMetrics(db: Db, range: MetricsRange): Promise<PaymentSuccessMetrics> {
  const row = await db
    .selectFrom('invoices')
    .select((eb) => [
      eb.fn.countAll<number>().as('finalized'),
      eb.fn
        .countAll<number>()
        .filterWhere((f) => f.and([f('status', '=', 'paid'), f('attempt_count', '<=', 1)]))
        .as('first_attempt'),
      eb.fn.countAll<number>().filterWhere('attempt_count', '>', 1).as('retried'),
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
type InvoicesEb = ExpressionBuilder<Database, 'invoices'>;
const recovered = (eb: InvoicesEb) => eb.and([eb('status', '=', 'paid'), eb('attempt_count', '>', 1)]);
const lost = (eb: InvoicesEb) => eb('status', '=', 'uncollectible');
const lowerCurrency = (eb: InvoicesEb) => eb.fn<string>('lower', ['currency']);

export async function revenueRecovery(db: Db, range: MetricsRange): Promise<RevenueRecovery[]> {
  const rows = await db
    .selectFrom('invoices')
    .select((eb) => [
      lowerCurrency(eb).as('currency'),
      // sum(bigint) is numeric, which pg hands over as a string; as bigint the pool parses it to a number.
      eb
        .cast<number>(eb.fn.coalesce(eb.fn.sum('amount_paid').filterWhere(recovered), eb.lit(0)), 'bigint')
        .as('recovered'),
      eb.fn.countAll<number>().filterWhere(recovered).as('recovered_invoices'),
      eb
        .cast<number>(
          eb.fn.coalesce(eb.fn.sum(eb('amount_due', '-', eb.ref('amount_paid'))).filterWhere(lost), eb.lit(0)),
          'bigint',
        )
        .as('lost'),
      eb.fn.countAll<number>().filterWhere(lost).as('lost_invoices'),
    ])
    .where('stripe_created_at', '>=', range.from)
    .where('stripe_created_at', '<', range.to)
    .groupBy(lowerCurrency)
    .having((eb) =>
      eb(
        eb.fn.countAll().filterWhere((f) => f.or([recovered(f), lost(f)])),
        '>',
        0,
      ),
    )
    .orderBy(lowerCurrency)
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
    .select((eb) => [
      eb.fn.countAll<number>().as('enqueued'),
      eb.fn.countAll<number>().filterWhere('status', '=', 'sent').as('sent'),
      eb.fn.countAll<number>().filterWhere('status', '=', 'failed').as('failed'),
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
  /** Of those, given up after WEBHOOK_RELAY_MAX_ATTEMPTS failures: waiting for redrive-events. */
  deadLettered: number;
  /** failed / received. */
  failureRate: number | null;
}

/** Relay attempts are only counted up by a failure (the webhooks store's recordOutcomes), so `relay_attempts > 0` is "failed at least once". */
export async function webhookProcessingMetrics(db: Db, range: MetricsRange): Promise<WebhookProcessingMetrics> {
  const row = await db
    .selectFrom('stripe_events')
    .select((eb) => [
      eb.fn.countAll<number>().as('received'),
      eb.fn.countAll<number>().filterWhere('relay_attempts', '>', 0).as('failed'),
      eb.fn
        .countAll<number>()
        .filterWhere((f) => f.and([f('relay_attempts', '>', 0), f('relay_status', '=', 'pending')]))
        .as('still_failing'),
      eb.fn.countAll<number>().filterWhere('relay_status', '=', 'dead_lettered').as('dead_lettered'),
    ])
    .where('stripe_created_at', '>=', range.from)
    .where('stripe_created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  return {
    received: row.received,
    failed: row.failed,
    stillFailing: row.still_failing,
    deadLettered: row.dead_lettered,
    failureRate: ratio(row.failed, row.received),
  };
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
  const row = await db
    .selectFrom('invoices as i')
    .leftJoin('email_outbox as oi', (join) =>
      join.on((eb) => eb('oi.dedupe_key', '=', eb(eb.val('invoice_issued:'), '||', eb.ref('i.stripe_invoice_id')))),
    )
    .leftJoin('email_outbox as orc', (join) =>
      join.on((eb) => eb('orc.dedupe_key', '=', eb(eb.val('invoice_receipt:'), '||', eb.ref('i.stripe_invoice_id')))),
    )
    .select((eb) => {
      // requiredInvoiceEmails: an uncollectible invoice never attempted (a pause's) owes no email.
      const issuedOwed = eb.and([
        eb('i.amount_due', '>', 0),
        eb.or([
          eb('i.status', 'in', ['open', 'paid']),
          eb.and([eb('i.status', '=', 'uncollectible'), eb('i.attempt_count', '>', 0)]),
        ]),
      ]);
      const receiptOwed = eb.and([eb('i.status', '=', 'paid'), eb('i.amount_paid', '>', 0)]);
      const counts = (owed: typeof issuedOwed, outbox: 'oi.status' | 'orc.status', prefix: string) => [
        eb.fn.countAll<number>().filterWhere(owed).as(`${prefix}_required`),
        eb.fn
          .countAll<number>()
          .filterWhere(eb.and([owed, eb(outbox, '=', 'sent')]))
          .as(`${prefix}_sent`),
        eb.fn
          .countAll<number>()
          .filterWhere(eb.and([owed, eb(outbox, '=', 'failed')]))
          .as(`${prefix}_failed`),
        eb.fn
          .countAll<number>()
          .filterWhere(eb.and([owed, eb(outbox, 'in', ['pending', 'sending'])]))
          .as(`${prefix}_pending`),
      ];
      return [...counts(issuedOwed, 'oi.status', 'issued'), ...counts(receiptOwed, 'orc.status', 'receipt')];
    })
    .where('i.stripe_created_at', '>=', range.from)
    .where('i.stripe_created_at', '<', range.to)
    .executeTakeFirstOrThrow();
  const r = row as unknown as Record<string, number>;
  const kind = (prefix: string): InvoiceEmailCounts => {
    const [required, sent, failed, pending] = ['required', 'sent', 'failed', 'pending'].map(
      (f) => r[`${prefix}_${f}`] ?? 0,
    ) as [number, number, number, number];
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
  payments: PaymentSuccessMetrics;
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
