import { links, type TemplateContext } from './context';
import { declineMessage } from '../../domain/decline-messages';
import { formatDate, formatMoney, formatPlan } from './format';
import type { EmailContent } from './layout';
import type { NotificationData } from './schemas';

export function paymentFailed(data: NotificationData<'payment_failed'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amountDue, data.currency);
  const invoice = data.invoiceNumber ?? data.invoiceId;
  const attempt = data.attempt === 1 ? 'This was our first attempt.' : `This was attempt ${data.attempt}.`;
  const next = data.nextRetryAt
    ? `We will try again on ${formatDate(data.nextRetryAt)}. Your subscription stays active in the meantime.`
    : 'We will not retry this card automatically. Your subscription stays active for now, but please update your payment method.';
  return {
    subject: `Payment of ${amount} failed`,
    blocks: [
      `We could not collect ${amount} for invoice ${invoice}. ${declineMessage(data.declineCode, data.adviceCode)}`,
      `${attempt} ${next}`,
      'Updating your card retries the payment right away.',
      { label: 'Update your payment method', url: links(ctx).paymentMethod },
    ],
  };
}

export function paymentActionRequired(
  data: NotificationData<'payment_action_required'>,
  ctx: TemplateContext,
): EmailContent {
  const amount = formatMoney(data.amountDue, data.currency);
  return {
    subject: `Your bank asks you to confirm a payment of ${amount}`,
    blocks: [
      `Your card issuer needs you to confirm the payment of ${amount} for invoice ${data.invoiceId} (3-D Secure). We cannot complete it without you, so we will not retry it automatically.`,
      `Please confirm it before ${formatDate(data.graceEndsAt)}; your subscription stays active until then.`,
      data.hostedInvoiceUrl
        ? { label: 'Confirm the payment', url: data.hostedInvoiceUrl }
        : { label: 'Open your billing', url: links(ctx).billing },
    ],
  };
}

export function invoicePaymentDue(data: NotificationData<'invoice_payment_due'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amountDue, data.currency);
  const due = formatDate(data.dueAt);
  const pay = data.hostedInvoiceUrl
    ? { label: 'Pay the invoice', url: data.hostedInvoiceUrl }
    : { label: 'Open your billing', url: links(ctx).billing };
  if (!data.overdue)
    return {
      subject: `Invoice ${data.invoiceId} for ${amount} is due on ${due}`,
      blocks: [`A reminder: invoice ${data.invoiceId} for ${amount} is due on ${due}.`, pay],
    };
  const end = data.graceEndsAt
    ? ` If it is not paid by ${formatDate(data.graceEndsAt)}, the subscription will be canceled and your organization moves to the Free plan. None of your data is deleted.`
    : '';
  return {
    subject: `Invoice ${data.invoiceId} for ${amount} is overdue`,
    blocks: [`Invoice ${data.invoiceId} for ${amount} was due on ${due} and is still unpaid.${end}`, pay],
  };
}

export function finalNotice(data: NotificationData<'final_notice'>, ctx: TemplateContext): EmailContent {
  const plan = formatPlan(data.plan);
  const date = formatDate(data.graceEndsAt);
  return {
    subject: `Final notice: your ${plan} subscription will be canceled on ${date}`,
    blocks: [
      `We still could not collect ${formatMoney(data.amountDue, data.currency)} for your ${plan} subscription.`,
      `If the payment is not made by ${date}, the subscription will be canceled and your organization moves to the Free plan. None of your data is deleted.`,
      data.hostedInvoiceUrl
        ? { label: 'Confirm the payment', url: data.hostedInvoiceUrl }
        : { label: 'Update your payment method', url: links(ctx).paymentMethod },
    ],
  };
}

export function paymentRecovered(data: NotificationData<'payment_recovered'>, ctx: TemplateContext): EmailContent {
  const amount = formatMoney(data.amountPaid, data.currency);
  return {
    subject: `Payment of ${amount} received`,
    blocks: [
      `Thank you: we received ${amount} for invoice ${data.invoiceNumber ?? data.invoiceId}.`,
      `Your ${formatPlan(data.plan)} subscription is in good standing again; no further action is needed.`,
      { label: 'View your billing', url: links(ctx).billing },
    ],
  };
}
