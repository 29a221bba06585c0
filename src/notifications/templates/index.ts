import { z } from 'zod';
import type { NotificationKind, NotificationRequest } from '../types';
import type { TemplateContext } from './context';
import { creditNoteIssued, invoiceIssued, invoiceReceipt } from './invoice';
import { renderLayout, type EmailContent, type RenderedEmail } from './layout';
import { finalNotice, invoicePaymentDue, paymentActionRequired, paymentFailed, paymentRecovered } from './payment';
import { notificationDataSchemas, type NotificationData } from './schemas';
import { subscriptionCanceled } from './subscription-canceled';
import { trialEnded, trialEnding } from './trial';
import { usageThreshold } from './usage-threshold';

export type { TemplateContext } from './context';
export type { RenderedEmail } from './layout';
export { notificationDataSchemas, type NotificationData } from './schemas';

/** A caller passed data that does not fit the kind's template: a programming error, not a retryable one. */
export class InvalidNotificationDataError extends Error {
  constructor(
    readonly kind: string,
    readonly issues: string[],
  ) {
    super(`Invalid data for notification "${kind}": ${issues.join('; ')}`);
    this.name = 'InvalidNotificationDataError';
  }
}

type Templates = { [K in NotificationKind]: (data: NotificationData<K>, ctx: TemplateContext) => EmailContent };

// Mapped types let TypeScript correlate a kind with its schema and template inside renderKind.
const schemas: { [K in NotificationKind]: z.ZodType<NotificationData<K>> } = notificationDataSchemas;

const templates: Templates = {
  trial_ending: trialEnding,
  trial_ended_without_payment_method: trialEnded,
  payment_failed: paymentFailed,
  payment_action_required: paymentActionRequired,
  invoice_payment_due: invoicePaymentDue,
  final_notice: finalNotice,
  subscription_canceled: subscriptionCanceled,
  payment_recovered: paymentRecovered,
  usage_threshold: usageThreshold,
  invoice_issued: invoiceIssued,
  invoice_receipt: invoiceReceipt,
  credit_note_issued: creditNoteIssued,
};

function renderKind<K extends NotificationKind>(kind: K, data: unknown, ctx: TemplateContext): RenderedEmail {
  const parsed = schemas[kind].safeParse(data);
  if (!parsed.success) {
    throw new InvalidNotificationDataError(
      kind,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`),
    );
  }
  const template: (data: NotificationData<K>, ctx: TemplateContext) => EmailContent = templates[kind];
  return renderLayout(template(parsed.data, ctx));
}

/** Validates the request's data against its kind and renders subject, plain text and HTML. */
export function renderNotification(
  request: Pick<NotificationRequest, 'kind' | 'data'>,
  ctx: TemplateContext,
): RenderedEmail {
  if (!Object.hasOwn(templates, request.kind)) {
    throw new InvalidNotificationDataError(String(request.kind), ['unknown notification kind']);
  }
  return renderKind(request.kind, request.data, ctx);
}
