import type { InvoiceSnapshot } from './stripe';

/**
 * A payment that needs the customer (3-D Secure under PSD2 and similar rules): the frontend completes it with
 * Stripe.js and the client secret, or the customer pays on the hosted invoice page. Never a decline.
 */
export interface PaymentAction {
  type: 'requires_action';
  invoiceId: string;
  paymentIntentId: string | null;
  clientSecret: string | null;
  hostedInvoiceUrl: string | null;
}

/** Stripe expires an incomplete subscription whose first invoice is not paid within 23 hours (incomplete_expired). */
export const INCOMPLETE_WINDOW_MS = 23 * 3_600_000;

/**
 * The action an open invoice waits for, or null. On-session payments leave the PaymentIntent in `requires_action`;
 * off-session ones (renewals, our retries) fail with `authentication_required`, which retrying cannot fix.
 */
export function actionNeeded(invoice: InvoiceSnapshot): PaymentAction | null {
  if (invoice.status !== 'open') return null;
  const intent = invoice.paymentIntent ?? null;
  const error = invoice.lastPaymentError;
  const needsCustomer =
    intent?.status === 'requires_action' ||
    error?.code === 'authentication_required' ||
    error?.declineCode === 'authentication_required';
  if (!needsCustomer) return null;
  return {
    type: 'requires_action',
    invoiceId: invoice.id,
    paymentIntentId: intent?.id ?? null,
    clientSecret: intent?.clientSecret ?? null,
    hostedInvoiceUrl: invoice.hostedInvoiceUrl,
  };
}
