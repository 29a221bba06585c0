/** The customer notifications the billing service sends; each kind has one template. */
export type NotificationKind =
  | 'trial_ending'
  | 'trial_ended_without_payment_method'
  | 'payment_failed'
  | 'payment_action_required'
  | 'invoice_payment_due'
  | 'final_notice'
  | 'subscription_canceled'
  | 'payment_recovered'
  | 'usage_threshold'
  | 'invoice_issued'
  | 'invoice_receipt'
  | 'credit_note_issued';
