/**
 * Which emails an invoice owes its organization. Every finalized invoice with something to pay is
 * sent once (first, renewal, proration, final alike), and a paid one also gets a receipt once. Drafts,
 * voided or deleted drafts and $0 invoices (a trial's start) owe nothing; nor does an invoice marked
 * uncollectible without ever being attempted (a renewal during a pause that keeps access: Stripe's
 * `pause_collection` with `mark_uncollectible` finalizes it and marks it at once; nobody is asked to pay).
 * An invoice marked uncollectible after its attempts (dunning lost) was owed its email while open.
 *
 * The migration's partial index `invoices_awaiting_email` and the mailer's due-query repeat this rule
 * in SQL; change all three together.
 */
export const INVOICE_EMAIL_KINDS = ['invoice_issued', 'invoice_receipt'] as const;
export type InvoiceEmailKind = (typeof INVOICE_EMAIL_KINDS)[number];

/** Statuses an invoice only reaches once Stripe has finalized it. */
export const FINALIZED_INVOICE_STATUSES = ['open', 'paid', 'uncollectible'] as const;

export interface InvoiceEmailFacts {
  status: string;
  amountDue: number;
  amountPaid: number;
  /** Stripe's payment attempts on it. */
  attemptCount: number;
}

export function requiredInvoiceEmails(invoice: InvoiceEmailFacts): InvoiceEmailKind[] {
  const kinds: InvoiceEmailKind[] = [];
  const collected = invoice.status !== 'uncollectible' || invoice.attemptCount > 0;
  if ((FINALIZED_INVOICE_STATUSES as readonly string[]).includes(invoice.status) && invoice.amountDue > 0 && collected)
    kinds.push('invoice_issued');
  if (invoice.status === 'paid' && invoice.amountPaid > 0) kinds.push('invoice_receipt');
  return kinds;
}

/** One outbox row per invoice and kind: a repeated webhook, activity or sweep stores nothing new. */
export function invoiceEmailDedupeKey(kind: InvoiceEmailKind, stripeInvoiceId: string): string {
  return `${kind}:${stripeInvoiceId}`;
}

/** How Stripe's `billing_reason` reads in an email. */
export function describeBillingReason(reason: string | null | undefined): string {
  switch (reason) {
    case 'subscription_create':
      return 'the first invoice of your subscription';
    case 'subscription_cycle':
      return 'the renewal of your subscription';
    case 'subscription_update':
      return 'a change to your subscription (prorated)';
    case 'subscription_threshold':
      return 'usage that reached your billing threshold';
    default:
      return 'your subscription';
  }
}
