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
