import type { Logger } from 'pino';
import { createPeriodic } from '../background/periodic';
import type { BackgroundService } from '../background/service';
import type { Db } from '../db/database';
import { EMAIL_MARKER, markInvoiceEmailQueued } from '../db/read-models/invoices';
import { invoiceEmailDedupeKey, requiredInvoiceEmails, type InvoiceEmailKind } from '../domain/invoice-emails';
import type { Notifier } from '../notifications/types';
import type { LineSummarySource } from './line-summary';
import { findInvoicesAwaitingEmail } from './store';

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

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type DueInvoice = Awaited<ReturnType<typeof findInvoicesAwaitingEmail>>[number];

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
    return {
      organizationId: invoice.organization_id,
      kind,
      dedupeKey: invoiceEmailDedupeKey(kind, invoice.stripe_invoice_id),
      data,
    };
  }

  async function deliver(invoice: DueInvoice): Promise<number> {
    const owed = requiredInvoiceEmails({
      status: invoice.status,
      amountDue: invoice.amount_due,
      attemptCount: invoice.attempt_count,
      amountPaid: invoice.amount_paid,
    }).filter((kind) => invoice[EMAIL_MARKER[kind]] === null);
    // The mirror keeps a finalized invoice's lines from its webhook; Stripe is asked only for rows from before that.
    const lineSummary = owed.includes('invoice_issued')
      ? (invoice.line_summary ?? (await deps.lineSummary(invoice.stripe_invoice_id)))
      : null;
    let enqueued = 0;
    for (const kind of owed) {
      if ((await deps.notifier.enqueue(request(invoice, kind, lineSummary))).enqueued) enqueued += 1;
      await markInvoiceEmailQueued(deps.db, invoice.stripe_invoice_id, kind);
    }
    return enqueued;
  }

  async function runOnce(): Promise<InvoiceMailerSummary> {
    const due = await findInvoicesAwaitingEmail(deps.db, batchSize);
    const summary: InvoiceMailerSummary = { invoices: due.length, enqueued: 0, failed: 0 };
    for (const invoice of due) {
      try {
        summary.enqueued += await deliver(invoice);
      } catch (err) {
        summary.failed += 1;
        deps.logger?.warn(
          { err, invoiceId: invoice.stripe_invoice_id },
          'invoice email not stored yet; the next sweep retries',
        );
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
