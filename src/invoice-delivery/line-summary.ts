import type Stripe from 'stripe';
import { classifyStripeError } from '../stripe/errors';
import { formatMoney } from '../notifications/templates/format';

/** Reads an invoice's lines as the email's summary; null when Stripe no longer knows the invoice. */
export type LineSummarySource = (stripeInvoiceId: string) => Promise<string | null>;

const MAX_LINES = 10;

/**
 * For an invoice mirrored without its lines (a row from before the mirror kept them, or an event without lines), the
 * mailer asks Stripe (the truth) once per invoice.
 * A permanent answer (the invoice is gone, a bad id) gives null and the email says so, rather than
 * holding the email back forever; a transient one (5xx, 429, network) throws and the mailer tries again.
 */
export function stripeLineSummary(stripe: Stripe): LineSummarySource {
  return async (stripeInvoiceId) => {
    let invoice: Stripe.Invoice;
    try {
      invoice = await stripe.invoices.retrieve(stripeInvoiceId);
    } catch (err) {
      if (classifyStripeError(err).retryable) throw err;
      return null;
    }
    return summarizeLines(invoice.lines.data, invoice.lines.has_more);
  };
}

export function summarizeLines(
  lines: readonly Pick<Stripe.InvoiceLineItem, 'description' | 'amount' | 'currency'>[],
  hasMore = false,
): string | null {
  if (lines.length === 0) return null;
  const shown = lines
    .slice(0, MAX_LINES)
    .map((l) => `${(l.description ?? 'Item').slice(0, 200)}: ${formatMoney(l.amount, l.currency)}`);
  if (hasMore || lines.length > MAX_LINES) shown.push('More lines are on the invoice.');
  return shown.join('\n');
}
