import type { PaymentAction } from '../domain/subscription/payment-action';
import type { Terms } from '../domain/pricing';
import type { DiscountView } from '../domain/discounts';
import type { Contract } from '../domain/contract';
import type { PauseView, ScheduledChangeView } from '../domain/subscription/state';

type InvoiceDueView = { invoiceId: string; amountDue: number; currency: string; dueAt: number };
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Timestamps come back from pg as Date and may be written as Date or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint columns come back as strings from pg unless parsed; the pool parses them to number (see database.ts). */
type Money = ColumnType<number, number, number>;

export interface BillingCustomersTable {
  organization_id: string;
  stripe_customer_id: string;
  stripe_test_clock_id: string | null;
  email: string | null;
  default_payment_method_id: ColumnType<string | null, string | null | undefined, string | null>;
  default_payment_method_event_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  legal_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** A BillingAddress (domain/billing-profile), camelCase keys. */
  address: ColumnType<unknown | null, string | null | undefined, string | null>;
  /** StoredTaxId[]: the customer's tax IDs as Stripe holds them. */
  tax_ids: ColumnType<unknown, string | undefined, string>;
  profile_updated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface CreditNotesTable {
  id: Generated<string>;
  organization_id: string;
  stripe_invoice_id: string;
  stripe_credit_note_id: string;
  number: string;
  currency: string;
  amount: Money;
  refunded_amount: Money;
  reason: string | null;
  memo: string | null;
  pdf_url: string | null;
  /** Who issued it: an operator's token label, or `cli:<user>`. */
  actor: string;
  request_id: string | null;
  /** The key the refund was asked with (unique per invoice): a repeat answers with this credit note. */
  idempotency_key: string | null;
  created_at: DefaultedTimestamp;
}

export interface SubscriptionsTable {
  id: Generated<string>;
  organization_id: string;
  workflow_id: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  plan: string;
  status: string;
  currency: ColumnType<string, string | undefined, string>;
  unit_amount: ColumnType<number, number | undefined, number>;
  current_period_start: Timestamp | null;
  current_period_end: Timestamp | null;
  cancel_at_period_end: ColumnType<boolean, boolean | undefined, boolean>;
  pending_plan: string | null;
  trial_end: Timestamp | null;
  default_payment_method_id: string | null;
  dunning_attempt: ColumnType<number, number | undefined, number>;
  grace_ends_at: Timestamp | null;
  /** A payment waiting for the customer (PaymentAction as JSON): how the frontend completes it. */
  payment_action: ColumnType<PaymentAction | null, string | null | undefined, string | null>;
  pending_upgrade_plan: string | null;
  /** Interval, purchased seats and add-on packs (Terms as JSON); null = monthly, none. */
  terms: ColumnType<Terms | null, string | null | undefined, string | null>;
  /** The change a subscription schedule holds for the period end (ScheduledChangeView as JSON, dates in ms). */
  scheduled_change: ColumnType<ScheduledChangeView | null, string | null | undefined, string | null>;
  /** The pause in force (PauseView as JSON, resumesAt in ms); null = not paused. */
  pause: ColumnType<PauseView | null, string | null | undefined, string | null>;
  /** The promotion code's discount (DiscountView as JSON); null = none. */
  discount: ColumnType<DiscountView | null, string | null | undefined, string | null>;
  /** The enterprise contract in force (Contract as JSON); null = a catalog plan. */
  contract: ColumnType<Contract | null, string | null | undefined, string | null>;
  /** Collection by invoice: the invoice awaiting payment ({ invoiceId, amountDue, currency, dueAt ms }). */
  invoice_due: ColumnType<InvoiceDueView | null, string | null | undefined, string | null>;
  dunning_phase: string | null;
  dunning_next_action_at: Timestamp | null;
  canceled_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** With history_length, the order of the projection that wrote the row, compared as a pair. */
  state_version: ColumnType<number, number | undefined, number>;
  history_length: ColumnType<number, number | undefined, number>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface InvoicesTable {
  id: Generated<string>;
  organization_id: string;
  stripe_invoice_id: string;
  stripe_subscription_id: string | null;
  number: string | null;
  status: string;
  currency: string;
  amount_due: Money;
  amount_paid: ColumnType<number, number | undefined, number>;
  amount_remaining: ColumnType<number, number | undefined, number>;
  /** Stripe's subtotal (before discounts) and the sum of its total_discount_amounts; null on rows from before them. */
  subtotal: ColumnType<number | null, number | null | undefined, number | null>;
  discount_amount: ColumnType<number | null, number | null | undefined, number | null>;
  billing_reason: string | null;
  attempt_count: ColumnType<number, number | undefined, number>;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  period_start: Timestamp | null;
  period_end: Timestamp | null;
  due_date: Timestamp | null;
  paid_at: Timestamp | null;
  stripe_created_at: Timestamp;
  source_event_created_at: Timestamp;
  /** Stripe Tax: the tax on the invoice (null: automatic tax off), the total before tax, reverse charge. */
  tax: ColumnType<number | null, number | null | undefined, number | null>;
  total_excluding_tax: ColumnType<number | null, number | null | undefined, number | null>;
  reverse_charge: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** The lines as the invoice email lists them, from a finalized invoice's webhook; null: a draft, or mirrored before. */
  line_summary: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the invoice mailer stored the invoice email / the receipt in the outbox; null = not yet. */
  issued_email_queued_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  receipt_email_queued_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface PaymentMethodsTable {
  id: Generated<string>;
  organization_id: string;
  stripe_payment_method_id: string;
  type: ColumnType<string, string | undefined, string>;
  brand: string | null;
  last4: string | null;
  exp_month: number | null;
  exp_year: number | null;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  detached_at: Timestamp | null;
  source_event_created_at: Timestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface UsageRecordsTable {
  id: Generated<string>;
  organization_id: string;
  subscription_id: string | null;
  metric_type: string;
  quantity: ColumnType<number, number, number>;
  period_start: Timestamp;
  period_end: Timestamp;
  /** Gauges: the time of the reading `quantity` holds (the latest wins). */
  last_event_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface UsageDailyTable {
  organization_id: string;
  metric: string;
  /** A UTC calendar day, 'YYYY-MM-DD' (the pool returns dates as strings, never shifted by a time zone). */
  day: string;
  quantity: ColumnType<number, number, number>;
  last_event_at: Timestamp;
  updated_at: DefaultedTimestamp;
}

/** The usage dedupe ledger: every event id ever accepted (kept beyond raw-event retention). */
export interface UsageEventKeysTable {
  event_id: string;
  organization_id: string;
  received_at: DefaultedTimestamp;
}

/** Raw usage events, range-partitioned by month of occurred_at. */
export interface UsageEventsTable {
  event_id: string;
  organization_id: string;
  metric: string;
  quantity: ColumnType<number, number, number>;
  occurred_at: Timestamp;
  period_start: Timestamp;
  received_at: DefaultedTimestamp;
}

export interface UsageThresholdAlertsTable {
  organization_id: string;
  metric: string;
  period_start: Timestamp;
  period_end: Timestamp;
  threshold_percent: number;
  limit_value: ColumnType<number, number, number>;
  used: ColumnType<number, number, number>;
  notified_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface UsageOverageReportsTable {
  organization_id: string;
  metric: string;
  period_start: Timestamp;
  period_end: Timestamp;
  plan: string;
  over_units: ColumnType<number, number, number>;
  /** Blocks of the pending (or last) meter event's cumulative total. */
  blocks: ColumnType<number, number, number>;
  /** Blocks Stripe has confirmed for the period; `blocks - reported_blocks` is the pending event's value. */
  reported_blocks: ColumnType<number, number | undefined, number>;
  meter_event_name: string;
  identifier: string;
  stripe_customer_id: string;
  reported_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

/** dead_lettered: the relay failed it WEBHOOK_RELAY_MAX_ATTEMPTS times; it waits for redrive-events. */
export type RelayStatus = 'pending' | 'relayed' | 'ignored' | 'dead_lettered';

export interface StripeEventsTable {
  id: string;
  type: string;
  api_version: string | null;
  livemode: boolean;
  stripe_created_at: Timestamp;
  object_id: string | null;
  organization_id: string | null;
  payload: ColumnType<unknown, string, string>;
  relay_status: ColumnType<RelayStatus, RelayStatus | undefined, RelayStatus>;
  relay_attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  relayed_at: Timestamp | null;
  last_error: string | null;
  received_at: DefaultedTimestamp;
  dead_lettered_at: Timestamp | null;
}

export interface ApiIdempotencyKeysTable {
  organization_id: string;
  key: string;
  request_fingerprint: string;
  state: ColumnType<'in_progress' | 'completed', 'in_progress' | undefined, 'in_progress' | 'completed'>;
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  created_at: DefaultedTimestamp;
  completed_at: Timestamp | null;
}

export type EmailOutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface EmailOutboxTable {
  id: Generated<string>;
  dedupe_key: string;
  organization_id: string;
  kind: string;
  to_address: string | null;
  subject: string;
  text_body: string;
  html_body: string | null;
  status: ColumnType<EmailOutboxStatus, EmailOutboxStatus | undefined, EmailOutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface Database {
  billing_customers: BillingCustomersTable;
  subscriptions: SubscriptionsTable;
  invoices: InvoicesTable;
  credit_notes: CreditNotesTable;
  payment_methods: PaymentMethodsTable;
  usage_records: UsageRecordsTable;
  usage_daily: UsageDailyTable;
  usage_event_keys: UsageEventKeysTable;
  usage_events: UsageEventsTable;
  usage_threshold_alerts: UsageThresholdAlertsTable;
  usage_overage_reports: UsageOverageReportsTable;
  stripe_events: StripeEventsTable;
  api_idempotency_keys: ApiIdempotencyKeysTable;
  email_outbox: EmailOutboxTable;
}

export type UsageRecordRow = Selectable<UsageRecordsTable>;
export type UsageDailyRow = Selectable<UsageDailyTable>;
export type UsageThresholdAlertRow = Selectable<UsageThresholdAlertsTable>;
export type UsageOverageReportRow = Selectable<UsageOverageReportsTable>;
export type StripeEventRow = Selectable<StripeEventsTable>;
export type NewStripeEventRow = Insertable<StripeEventsTable>;
export type EmailOutboxRow = Selectable<EmailOutboxTable>;
export type NewEmailOutboxRow = Insertable<EmailOutboxTable>;
