import type Stripe from 'stripe';
import type { Sim } from '../sim';
import type { SubscriptionInternals } from '../store';

/** The legacy `plan` that Stripe still embeds in every subscription item, derived from the price. */
export function planFromPrice(price: Stripe.Price): Stripe.Plan {
  const recurring = price.recurring;
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: recurring?.interval ?? 'month',
    interval_count: recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: recurring?.meter ?? null,
    nickname: price.nickname,
    product: typeof price.product === 'string' ? price.product : price.product.id,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: recurring?.trial_period_days ?? null,
    usage_type: recurring?.usage_type ?? 'licensed',
  };
}

export function buildItem(
  sim: Sim,
  args: {
    subscription: string;
    price: Stripe.Price;
    quantity: number;
    period: { start: number; end: number };
    created: number;
    metadata?: Record<string, string>;
    id?: string;
  },
): Stripe.SubscriptionItem {
  const metered = args.price.recurring?.usage_type === 'metered';
  return {
    id: args.id ?? sim.id('si', 14),
    object: 'subscription_item',
    billing_thresholds: null,
    created: args.created,
    current_period_end: args.period.end,
    current_period_start: args.period.start,
    current_trial: null,
    discounts: [],
    metadata: args.metadata ?? {},
    plan: planFromPrice(args.price),
    price: structuredClone(args.price),
    // Stripe omits quantity on metered items: usage comes from the meter.
    ...(metered ? {} : { quantity: args.quantity }),
    subscription: args.subscription,
    tax_rates: [],
  };
}

export interface NewSubscriptionFields {
  id: string;
  customer: string;
  testClock: string | null;
  created: number;
  currency: string;
  status: Stripe.Subscription.Status;
  anchor: number;
  trial: { start: number; end: number } | null;
  defaultPaymentMethod: string | null;
  metadata: Record<string, string>;
  missingPaymentMethod: 'cancel' | 'create_invoice' | 'pause';
  saveDefaultPaymentMethod: 'off' | 'on_subscription';
  description: string | null;
  /** send_invoice: invoices are emailed for payment within daysUntilDue, never charged. */
  collection?: { method: 'charge_automatically' } | { method: 'send_invoice'; daysUntilDue: number };
}

export function buildSubscription(f: NewSubscriptionFields, items: Stripe.SubscriptionItem[]): Stripe.Subscription {
  return {
    id: f.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: f.anchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: f.collection?.method ?? 'charge_automatically',
    created: f.created,
    currency: f.currency,
    customer: f.customer,
    customer_account: null,
    days_until_due: f.collection?.method === 'send_invoice' ? f.collection.daysUntilDue : null,
    default_payment_method: f.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: f.description,
    discounts: [],
    ended_at: null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${f.id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: f.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: f.saveDefaultPaymentMethod,
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: f.created,
    status: f.status,
    test_clock: f.testClock,
    transfer_data: null,
    trial_end: f.trial?.end ?? null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: f.missingPaymentMethod } },
    trial_start: f.trial?.start ?? null,
  };
}

/** Periods live on items in this API version; every item of one subscription shares them here. */
export function currentPeriod(sub: Stripe.Subscription): { start: number; end: number } {
  const item = sub.items.data[0];
  return { start: item?.current_period_start ?? sub.created, end: item?.current_period_end ?? sub.created };
}

export function setPeriod(sub: Stripe.Subscription, period: { start: number; end: number }): void {
  for (const item of sub.items.data) {
    item.current_period_start = period.start;
    item.current_period_end = period.end;
  }
}

export function customerIdOf(sub: Stripe.Subscription): string {
  return typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
}

export function internalsOf(sim: Sim, subId: string): SubscriptionInternals {
  const existing = sim.state.subscriptionInternals[subId];
  if (existing) return existing;
  const created: SubscriptionInternals = {
    trialWillEndSentFor: null,
    upcomingSentFor: null,
    pendingItems: null,
    pendingInvoice: null,
    incompleteSince: null,
  };
  sim.state.subscriptionInternals[subId] = created;
  return created;
}
