import { z } from 'zod';
import type { NotificationKind } from '../types';

/**
 * What each template needs in `NotificationRequest.data`. Values are primitives (the contract), so
 * instants travel as ISO-8601 strings and money as integer minor units with its currency.
 */
const instant = z.iso.datetime({ offset: true });
const minorUnits = z.number().int().nonnegative();
const currency = z.string().regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code such as usd');
const plan = z.string().min(1);
const link = z.url({ protocol: /^https?$/ }).max(2_000);
const invoiceFields = {
  invoiceId: z.string().min(1),
  invoiceNumber: z.string().min(1).nullish(),
  currency,
  periodStart: instant.nullish(),
  periodEnd: instant.nullish(),
  hostedInvoiceUrl: link.nullish(),
  invoicePdf: link.nullish(),
};

export const notificationDataSchemas = {
  trial_ending: z.strictObject({
    plan,
    trialEndsAt: instant,
    /** With a card on file the trial converts by itself; without one the email asks for a card. */
    hasPaymentMethod: z.boolean().optional(),
  }),
  trial_ended_without_payment_method: z.strictObject({ plan, trialEndedAt: instant }),
  payment_failed: z.strictObject({
    invoiceId: z.string().min(1),
    invoiceNumber: z.string().min(1).nullish(),
    amountDue: minorUnits,
    currency,
    /** 1 for the first failure, then one more per retry. */
    attempt: z.number().int().positive(),
    declineCode: z.string().min(1).nullish(),
    /** Stripe's advice to the merchant (`confirm_card_data`, `do_not_try_again`, `try_again_later`), when sent. */
    adviceCode: z.string().min(1).nullish(),
    /** Null when no automatic retry is scheduled (hard decline or retries exhausted). */
    nextRetryAt: instant.nullable(),
  }),
  /** A renewal (or our retry) that the card issuer wants the customer to authenticate (3-D Secure). */
  payment_action_required: z.strictObject({
    invoiceId: z.string().min(1),
    amountDue: minorUnits,
    currency,
    hostedInvoiceUrl: link.nullable(),
    graceEndsAt: instant,
  }),
  /** Collection by invoice (a contract on net terms): a reminder before the due date, then the overdue notice. */
  invoice_payment_due: z.strictObject({
    invoiceId: z.string().min(1),
    amountDue: minorUnits,
    currency,
    dueAt: instant,
    overdue: z.boolean(),
    hostedInvoiceUrl: link.nullable(),
    /** With the overdue notice: the subscription ends unpaid on this date. */
    graceEndsAt: instant.nullish(),
  }),
  final_notice: z.strictObject({
    plan,
    graceEndsAt: instant,
    amountDue: minorUnits,
    currency,
    /** Set when the payment waits for the customer's authentication: the link completes it. */
    hostedInvoiceUrl: link.nullish(),
  }),
  subscription_canceled: z.strictObject({
    plan,
    canceledAt: instant,
    reason: z.enum(['nonpayment', 'requested', 'trial_ended_without_payment_method']),
  }),
  payment_recovered: z.strictObject({
    invoiceId: z.string().min(1),
    invoiceNumber: z.string().min(1).nullish(),
    amountPaid: minorUnits,
    currency,
    plan,
  }),
  usage_threshold: z.strictObject({
    metric: z.enum(['messages', 'api_calls', 'storage', 'agents', 'users']),
    thresholdPercent: z.union([z.literal(80), z.literal(100)]),
    limit: z.number().int().positive(),
    used: z.number().nonnegative().optional(),
    periodEnd: instant.optional(),
  }),
  invoice_issued: z.strictObject({
    ...invoiceFields,
    amountDue: minorUnits,
    billingReason: z.string().min(1).nullish(),
    dueDate: instant.nullish(),
    /** One line per invoice line ("Starter plan: $29.00"), built from Stripe's invoice lines. */
    lineSummary: z.string().min(1).max(4_000),
    /** Already paid when finalized (the usual renewal): the email says so instead of "will be charged". */
    paid: z.boolean(),
  }),
  invoice_receipt: z.strictObject({ ...invoiceFields, amountPaid: minorUnits, paidAt: instant.nullish() }),
  credit_note_issued: z.strictObject({
    creditNoteNumber: z.string().min(1),
    invoiceId: z.string().min(1),
    invoiceNumber: z.string().min(1).nullish(),
    currency,
    amount: minorUnits,
    refundedAmount: minorUnits,
    reason: z.enum(['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']).nullish(),
    memo: z.string().max(500).nullish(),
    creditNotePdf: link.nullish(),
  }),
} satisfies Record<NotificationKind, z.ZodType>;

export type NotificationData<K extends NotificationKind> = z.infer<(typeof notificationDataSchemas)[K]>;
