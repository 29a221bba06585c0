import type Stripe from 'stripe';
import { formatMoney } from '../billing/money';
import { renderPdf } from './invoice-pdf';

function summary(invoice: Stripe.Invoice): string[] {
  return [
    `Invoice ${invoice.number ?? invoice.id} (${invoice.status ?? 'draft'})`,
    `Customer: ${typeof invoice.customer === 'string' ? invoice.customer : (invoice.customer?.id ?? '')}`,
    ...invoice.lines.data.map((l) => `${l.description ?? ''}: ${formatMoney(l.amount, l.currency)}`),
    `Total: ${formatMoney(invoice.total, invoice.currency)}`,
    `Amount due: ${formatMoney(invoice.amount_due, invoice.currency)}  Paid: ${formatMoney(invoice.amount_paid, invoice.currency)}`,
  ];
}

const html = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page behind `hosted_invoice_url` (read-only: the simulator does not take payments here). */
export function renderInvoiceHtml(invoice: Stripe.Invoice): string {
  const [title, ...rest] = summary(invoice);
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${html(title ?? '')}</title></head><body>` +
    `<h1>${html(title ?? '')}</h1><ul>${rest.map((l) => `<li>${html(l)}</li>`).join('')}</ul>` +
    `<p><a href="${html(invoice.invoice_pdf ?? '')}">Download PDF</a></p></body></html>`
  );
}

export function renderInvoicePdf(invoice: Stripe.Invoice): Buffer {
  return renderPdf(summary(invoice));
}

/** The PDF behind a credit note's `pdf` link. */
export function renderCreditNotePdf(creditNote: Stripe.CreditNote): Buffer {
  return renderPdf([
    `Credit note ${creditNote.number} for invoice ${typeof creditNote.invoice === 'string' ? creditNote.invoice : creditNote.invoice.id}`,
    `Reason: ${creditNote.reason ?? '-'}${creditNote.memo ? ` (${creditNote.memo})` : ''}`,
    `Credited: ${formatMoney(creditNote.total, creditNote.currency)}`,
    ...creditNote.refunds.map((r) => `Refunded to the card: ${formatMoney(r.amount_refunded, creditNote.currency)}`),
  ]);
}
