import { readFileSync, writeFileSync, renameSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { CardDecline } from './billing/test-cards';

/**
 * What the simulator knows about a stored card: which test card it is (a row of billing/test-cards.ts), whether a
 * SetupIntent set it up for future payments, and a decline the control plane imposed after it was saved.
 */
export interface CardBehavior {
  card: string;
  setUp?: boolean;
  override?: CardDecline;
}

/** A pending proration (Stripe's invoice item) waiting for the subscription's next invoice. */
export interface PendingItem {
  id: string;
  customer: string;
  subscription: string;
  subscriptionItem: string;
  price: string;
  product: string;
  amount: number;
  quantity: number;
  currency: string;
  description: string;
  period: { start: number; end: number };
  created: number;
}

/** Simulator bookkeeping Stripe keeps internally for each subscription. */
export interface SubscriptionInternals {
  trialWillEndSentFor: number | null;
  upcomingSentFor: number | null;
  /** The item changes a `pending_if_incomplete` update will apply once its invoice is paid. */
  pendingItems: Array<{ id: string; price: string; quantity: number }> | null;
  pendingInvoice: string | null;
  incompleteSince: number | null;
  /** The new period a held `pending_if_incomplete` change of interval starts once paid (absent in older state). */
  pendingCycleReset?: { start: number; end: number } | null;
  /** Invoices sent for payment whose `invoice.overdue` went out (absent in older state). */
  overdueSent?: string[];
}

export interface MeterUsage {
  identifier: string;
  meter: string;
  customer: string;
  value: number;
  timestamp: number;
}

export interface IdempotentResult {
  fingerprint: string;
  status: number;
  body: unknown;
  created: number;
}

export interface SimState {
  customers: Record<string, Stripe.Customer>;
  paymentMethods: Record<string, Stripe.PaymentMethod>;
  cardBehaviors: Record<string, CardBehavior>;
  products: Record<string, Stripe.Product>;
  prices: Record<string, Stripe.Price>;
  subscriptions: Record<string, Stripe.Subscription>;
  subscriptionSchedules: Record<string, Stripe.SubscriptionSchedule>;
  subscriptionInternals: Record<string, SubscriptionInternals>;
  invoices: Record<string, Stripe.Invoice>;
  pendingItems: Record<string, PendingItem>;
  testClocks: Record<string, Stripe.TestHelpers.TestClock>;
  events: Record<string, Stripe.Event>;
  webhookEndpoints: Record<string, Stripe.WebhookEndpoint>;
  meters: Record<string, Stripe.Billing.Meter>;
  meterUsage: Record<string, MeterUsage>;
  idempotency: Record<string, IdempotentResult>;
  /** Payment attempts per invoice id (includable as `invoice.payments`). */
  invoicePayments: Record<string, Stripe.InvoicePayment[]>;
  paymentIntents: Record<string, Stripe.PaymentIntent>;
  setupIntents: Record<string, Stripe.SetupIntent>;
  charges: Record<string, Stripe.Charge>;
  /** The invoice a PaymentIntent collects (Stripe creates one PaymentIntent per invoice at finalization). */
  paymentIntentInvoices: Record<string, string>;
  /** Customer tax IDs (absent in older state files: they start empty). */
  taxIds: Record<string, Stripe.TaxId>;
  creditNotes: Record<string, Stripe.CreditNote>;
  refunds: Record<string, Stripe.Refund>;
  /** Coupons, promotion codes and the discounts redeemed from them (absent in older state files: they start empty). */
  coupons: Record<string, Stripe.Coupon>;
  /** Deleted coupons: gone from the API, still behind the discounts redeemed from them. */
  deletedCoupons: Record<string, Stripe.Coupon>;
  promotionCodes: Record<string, Stripe.PromotionCode>;
  discounts: Record<string, Stripe.Discount>;
  /**
   * A price's amounts in currencies other than its default (`currency_options`, includable), by price id then
   * currency (absent in older state files: they start empty).
   */
  priceCurrencyOptions: Record<string, Record<string, Stripe.Price.CurrencyOptions>>;
}

export function emptyState(): SimState {
  return {
    customers: {},
    paymentMethods: {},
    cardBehaviors: {},
    products: {},
    prices: {},
    subscriptions: {},
    subscriptionSchedules: {},
    subscriptionInternals: {},
    invoices: {},
    pendingItems: {},
    testClocks: {},
    events: {},
    webhookEndpoints: {},
    meters: {},
    meterUsage: {},
    idempotency: {},
    invoicePayments: {},
    paymentIntents: {},
    setupIntents: {},
    charges: {},
    paymentIntentInvoices: {},
    taxIds: {},
    creditNotes: {},
    refunds: {},
    coupons: {},
    deletedCoupons: {},
    promotionCodes: {},
    discounts: {},
    priceCurrencyOptions: {},
  };
}

// Partial: a state file written before a collection existed still loads (the missing ones start empty).
const persistedShape = z
  .object(Object.fromEntries(Object.keys(emptyState()).map((k) => [k, z.record(z.string(), z.unknown())])))
  .partial();

/**
 * All simulator state is one JSON-able object. Records keep insertion order, which is creation
 * order, so lists read newest-first by reversing. Persistence (optional) rewrites the file
 * atomically shortly after each change.
 */
export class Store {
  state: SimState;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly file: string | undefined) {
    this.state = file && existsSync(file) ? Store.load(file) : emptyState();
  }

  private static load(file: string): SimState {
    const parsed = persistedShape.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success)
      throw new Error(
        `stripe-sim: state file ${file} is not a simulator state (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    return { ...emptyState(), ...(parsed.data as unknown as Partial<SimState>) };
  }

  reset(): void {
    this.state = emptyState();
    this.changed();
  }

  changed(): void {
    if (!this.file || this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flush(), 50);
    this.flushTimer.unref();
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.file);
  }
}

export function newestFirst<T>(records: Record<string, T>): T[] {
  return Object.values(records).reverse();
}
