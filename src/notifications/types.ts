/** The customer notifications the billing service sends; each kind has one template. */
export type NotificationKind =
  | 'trial_ending'
  | 'trial_ended_without_payment_method'
  | 'payment_failed'
  | 'final_notice'
  | 'subscription_canceled'
  | 'payment_recovered'
  | 'usage_threshold'
  | 'invoice_issued'
  | 'invoice_receipt';

export interface NotificationRequest {
  organizationId: string;
  kind: NotificationKind;
  /**
   * Deterministic per business event (e.g. `payment_failed:<invoiceId>:<attempt>`): enqueuing the same
   * key twice stores one message, so a retried activity never sends a second email.
   */
  dedupeKey: string;
  data: Record<string, string | number | boolean | null>;
}

export interface Notifier {
  enqueue(request: NotificationRequest): Promise<{ enqueued: boolean }>;
}
