import type Stripe from 'stripe';
import type { InvoiceRow, NewInvoiceRow } from '../db/read-models/invoices';
import type { SubscriptionRow } from '../db/read-models/subscriptions';
import { fromStripeStatus, type SubscriptionStatus } from '../domain/subscription-status';

/** The fields of a Stripe subscription reconciliation compares. */
export type StripeSubscriptionFacts = Pick<Stripe.Subscription, 'id' | 'status' | 'cancel_at_period_end'> &
  Partial<Pick<Stripe.Subscription, 'pause_collection'>> & {
    items: { data: Array<Pick<Stripe.SubscriptionItem, 'current_period_end'>> };
  };

/** The status the workflow shows for Stripe's: a pause (pause_collection, or Stripe's own `paused`) is `paused`. */
function expectedStatus(stripe: StripeSubscriptionFacts): SubscriptionStatus {
  const collecting = !stripe.pause_collection;
  if (stripe.status === 'paused' || (!collecting && stripe.status === 'active')) return 'paused';
  return fromStripeStatus(stripe.status);
}

export type SubscriptionDrift = { kind: 'in_sync' } | { kind: 'untracked' } | { kind: 'drifted'; fields: string[] };

/**
 * How the read model differs from Stripe for one subscription. Any difference is worth a signal:
 * the workflow re-fetches and projects, so a false alarm costs one Stripe read.
 */
export function subscriptionDrift(
  stripe: StripeSubscriptionFacts,
  row: Pick<SubscriptionRow, 'status' | 'cancel_at_period_end' | 'current_period_end'> | undefined,
): SubscriptionDrift {
  const status = expectedStatus(stripe);
  if (!row) return status === 'canceled' ? { kind: 'in_sync' } : { kind: 'untracked' };
  const fields: string[] = [];
  if (row.status !== status) fields.push(`status ${row.status} ≠ ${status}`);
  if (status === 'canceled') return fields.length ? { kind: 'drifted', fields } : { kind: 'in_sync' };
  if (row.cancel_at_period_end !== stripe.cancel_at_period_end) fields.push('cancel_at_period_end');
  const periodEnd = stripe.items.data[0]?.current_period_end;
  if (periodEnd !== undefined && row.current_period_end?.getTime() !== periodEnd * 1000)
    fields.push('current_period_end');
  return fields.length ? { kind: 'drifted', fields } : { kind: 'in_sync' };
}

const COMPARED = [
  'status',
  'amount_due',
  'amount_paid',
  'amount_remaining',
  'attempt_count',
  'hosted_invoice_url',
  'invoice_pdf',
] as const;

/** The mirrored invoice fields that differ from Stripe's (all of them when the mirror has no row). */
export function invoiceDrift(stripe: NewInvoiceRow, row: InvoiceRow | undefined): string[] {
  if (!row) return ['missing'];
  const fields: string[] = COMPARED.filter((f) => row[f] !== stripe[f]);
  const paidAt = stripe.paid_at ? new Date(stripe.paid_at).getTime() : null;
  if ((row.paid_at?.getTime() ?? null) !== paidAt) fields.push('paid_at');
  return fields;
}

/** The event a workflow would have received for an invoice in this state, if any. */
export function invoiceEventType(status: string, attemptCount: number): string | null {
  if (status === 'paid') return 'invoice.paid';
  if (status === 'open') return attemptCount > 0 ? 'invoice.payment_failed' : 'invoice.finalized';
  return null;
}
