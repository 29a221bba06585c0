import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createPeriodic } from '../background/periodic';
import type { BackgroundService } from '../background/service';
import type { Db } from '../db/database';
import { invoiceEmailDedupeKey, requiredInvoiceEmails, type InvoiceEmailKind } from '../domain/invoice-emails';
import type { Notifier } from '../notifications/types';
import { awaitingEmail } from './awaiting';
import type { LineSummarySource } from './line-summary';

export interface InvoiceMailerDeps {
  db: Db;
  notifier: Notifier;
  lineSummary: LineSummarySource;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  batchSize?: number;
  pollIntervalMs?: number;
}

export interface InvoiceMailerSummary {
  invoices: number;
  /** Emails newly stored in the outbox (a repeat of an earlier sweep stores nothing). */
  enqueued: number;
  /** Invoices left due after an error (Stripe unreachable…); the next sweep tries them again. */
  failed: number;
}

export interface InvoiceMailer extends BackgroundService {
  runOnce(): Promise<InvoiceMailerSummary>;
}

const MARKER: Record<InvoiceEmailKind, 'issued_email_queued_at' | 'receipt_email_queued_at'> = {
  invoice_issued: 'issued_email_queued_at',
  invoice_receipt: 'receipt_email_queued_at',
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type DueInvoice = Awaited<ReturnType<typeof dueInvoices>>[number];

function dueInvoices(db: Db, limit: number) {
  return db
    .selectFrom('invoices')
    .select([
      'organization_id', 'stripe_invoice_id', 'number', 'status', 'currency', 'amount_due', 'amount_paid', 'billing_reason',
      'hosted_invoice_url', 'invoice_pdf', 'period_start', 'period_end', 'due_date', 'paid_at', 'issued_email_queued_at', 'receipt_email_queued_at',
    ])
    .where(awaitingEmail('invoices'))
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/**
 * Turns mirrored invoices into emails: every sweep stores the invoice email and the receipt each
 * invoice still owes in the outbox, then stamps the invoice. It reads the read model, not webhooks,
 * so an invoice repaired by reconciliation after a lost webhook is emailed too, and a webhook
 * delivered three times is one invoice row. The outbox's dedupe key (`invoice_issued:<id>`) makes
 * a repeated sweep, a crash between enqueue and stamp, or two workers sweeping at once store one email.
 */
export function createInvoiceMailer(deps: InvoiceMailerDeps): InvoiceMailer {
  const batchSize = deps.batchSize ?? 50;
  const pollIntervalMs = deps.pollIntervalMs ?? 5_000;

  function request(invoice: DueInvoice, kind: InvoiceEmailKind, lineSummary: string | null) {
    const common = {
      invoiceId: invoice.stripe_invoice_id,
      invoiceNumber: invoice.number,
      currency: invoice.currency.trim(),
      periodStart: iso(invoice.period_start),
      periodEnd: iso(invoice.period_end),
      hostedInvoiceUrl: invoice.hosted_invoice_url,
      invoicePdf: invoice.invoice_pdf,
    };
    const data =
      kind === 'invoice_issued'
        ? {
            ...common,
            amountDue: invoice.amount_due,
            billingReason: invoice.billing_reason,
            dueDate: iso(invoice.due_date),
            lineSummary: lineSummary ?? 'The lines of this invoice are on the invoice itself.',
            paid: invoice.status === 'paid',
          }
        : { ...common, amountPaid: invoice.amount_paid, paidAt: iso(invoice.paid_at) };
    return { organizationId: invoice.organization_id, kind, dedupeKey: invoiceEmailDedupeKey(kind, invoice.stripe_invoice_id), data };
  }

  async function deliver(invoice: DueInvoice): Promise<number> {
    const owed = requiredInvoiceEmails({ status: invoice.status, amountDue: invoice.amount_due, amountPaid: invoice.amount_paid }).filter(
      (kind) => invoice[MARKER[kind]] === null,
    );
    const lineSummary = owed.includes('invoice_issued') ? await deps.lineSummary(invoice.stripe_invoice_id) : null;
    let enqueued = 0;
    for (const kind of owed) {
      if ((await deps.notifier.enqueue(request(invoice, kind, lineSummary))).enqueued) enqueued += 1;
      await deps.db
        .updateTable('invoices')
        .set({ [MARKER[kind]]: sql`now()` })
        .where('stripe_invoice_id', '=', invoice.stripe_invoice_id)
        .where(MARKER[kind], 'is', null)
        .execute();
    }
    return enqueued;
  }

  async function runOnce(): Promise<InvoiceMailerSummary> {
    const due = await dueInvoices(deps.db, batchSize);
    const summary: InvoiceMailerSummary = { invoices: due.length, enqueued: 0, failed: 0 };
    for (const invoice of due) {
      try {
        summary.enqueued += await deliver(invoice);
      } catch (err) {
        summary.failed += 1;
        deps.logger?.warn({ err, invoiceId: invoice.stripe_invoice_id }, 'invoice email not stored yet; the next sweep retries');
      }
    }
    return summary;
  }

  const polling = createPeriodic({
    name: 'invoice-mailer',
    // A full batch suggests more is due, unless the batch was all failures (Stripe down): then wait.
    round: async () => {
      const summary = await runOnce();
      return { moreDue: summary.invoices === batchSize && summary.failed < summary.invoices };
    },
    intervalMs: pollIntervalMs,
    onError: (err) => deps.logger?.error({ err }, 'invoice mailer cannot read invoices; will poll again'),
  });

  return { name: polling.name, runOnce, start: polling.start, stop: polling.stop };
}
