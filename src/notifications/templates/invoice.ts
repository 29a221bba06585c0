import { describeBillingReason } from '../../domain/invoice-emails';
import { links, type TemplateContext } from './context';
import { formatDate, formatMoney } from './format';
import type { Block, EmailContent } from './layout';
import type { NotificationData } from './schemas';

type InvoiceLinks = { hostedInvoiceUrl?: string | null; invoicePdf?: string | null };

function period(data: { periodStart?: string | null; periodEnd?: string | null }): string {
  return data.periodStart && data.periodEnd
    ? ` for ${formatDate(data.periodStart)} to ${formatDate(data.periodEnd)}`
    : '';
}

function invoiceLinks(data: InvoiceLinks, ctx: TemplateContext): Block[] {
  const blocks: Block[] = [];
  if (data.hostedInvoiceUrl) blocks.push({ label: 'View the invoice online', url: data.hostedInvoiceUrl });
  if (data.invoicePdf) blocks.push({ label: 'Download the invoice (PDF)', url: data.invoicePdf });
  if (blocks.length === 0) blocks.push({ label: 'View your billing', url: links(ctx).billing });
  return blocks;
}

export function invoiceIssued(data: NotificationData<'invoice_issued'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amountDue, data.currency);
  const invoice = data.invoiceNumber ?? data.invoiceId;
  const due = data.dueDate ? ` It is due on ${formatDate(data.dueDate)}.` : '';
  return {
    subject: `Invoice ${invoice} for ${amount}`,
    blocks: [
      `Invoice ${invoice} of ${amount}${period(data)} is for ${describeBillingReason(data.billingReason)}.${due}`,
      `Summary:\n${data.lineSummary}`,
      data.paid
        ? 'It has already been paid; a receipt follows.'
        : 'The card on file is charged automatically; you do not need to do anything.',
      ...invoiceLinks(data, ctx),
    ],
  };
}

export function invoiceReceipt(data: NotificationData<'invoice_receipt'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amountPaid, data.currency);
  const invoice = data.invoiceNumber ?? data.invoiceId;
  const when = data.paidAt ? ` on ${formatDate(data.paidAt)}` : '';
  return {
    subject: `Receipt for invoice ${invoice}: ${amount} paid`,
    blocks: [
      `Receipt: we received ${amount}${when} for invoice ${invoice}${period(data)}. Thank you.`,
      ...invoiceLinks(data, ctx),
    ],
  };
}

const REASONS = {
  duplicate: 'a duplicate charge',
  fraudulent: 'a fraudulent charge',
  order_change: 'a change to your order',
  product_unsatisfactory: 'the service not meeting expectations',
} as const;

export function creditNoteIssued(data: NotificationData<'credit_note_issued'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amount, data.currency);
  const invoice = data.invoiceNumber ?? data.invoiceId;
  const why = data.reason ? ` for ${REASONS[data.reason]}` : '';
  const memo = data.memo ? ` Note: ${data.memo}` : '';
  const refund =
    data.refundedAmount > 0
      ? `${formatMoney(data.refundedAmount, data.currency)} is refunded to the card that paid; banks usually show it within 5 to 10 business days.`
      : 'The amount is credited to your account balance and taken off your next invoices.';
  return {
    subject: `Credit note ${data.creditNoteNumber}: ${amount} credited on invoice ${invoice}`,
    blocks: [
      `We issued credit note ${data.creditNoteNumber} of ${amount} on invoice ${invoice}${why}.${memo}`,
      refund,
      data.creditNotePdf
        ? { label: 'Download the credit note (PDF)', url: data.creditNotePdf }
        : { label: 'View your billing', url: links(ctx).billing },
    ],
  };
}
