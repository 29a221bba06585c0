import type Stripe from 'stripe';
import type { Sim } from '../sim';
import { applyDiscounts, discountsInForce } from './discounts';
import { SELLER_COUNTRY, applyTax, invoiceTaxIds } from './tax';

export interface LineSpec {
  amount: number;
  quantity: number;
  currency: string;
  description: string;
  period: { start: number; end: number };
  price: string;
  product: string;
  subscription: string | null;
  subscriptionItem: string | null;
  /** Set for prorations (Stripe bills them as invoice items). */
  invoiceItem: string | null;
  proration: boolean;
}

export function buildLine(sim: Sim, invoiceId: string | null, spec: LineSpec): Stripe.InvoiceLineItem {
  const parent: Stripe.InvoiceLineItem.Parent = spec.invoiceItem
    ? {
        type: 'invoice_item_details',
        subscription_item_details: null,
        invoice_item_details: {
          invoice_item: spec.invoiceItem,
          proration: spec.proration,
          proration_details: { credited_items: null },
          subscription: spec.subscription,
        },
      }
    : {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: spec.proration,
          proration_details: { credited_items: null },
          subscription: spec.subscription,
          subscription_item: spec.subscriptionItem ?? '',
        },
      };
  return {
    id: sim.id('il'),
    object: 'line_item',
    amount: spec.amount,
    currency: spec.currency,
    description: spec.description,
    discount_amounts: [],
    discountable: !spec.proration,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    parent,
    period: spec.period,
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: spec.price, product: spec.product },
      unit_amount_decimal: null,
    },
    quantity: spec.quantity,
    quantity_decimal: null,
    subscription: spec.subscription,
    subtotal: spec.amount,
    taxes: [],
  };
}

export interface InvoiceFields {
  id: string;
  customer: Stripe.Customer;
  subscription: Stripe.Subscription | null;
  billingReason: Stripe.Invoice.BillingReason;
  created: number;
  currency: string;
  period: { start: number; end: number };
  prorationDate?: number | undefined;
  /** The discounts to apply instead of the subscription's (a preview of a redemption). */
  discounts?: Stripe.Discount[] | undefined;
  /** When the subscription's discounts are judged in force (a preview of the next renewal: its start). */
  discountAt?: number | undefined;
  /** `automatic_tax[enabled]` of a preview; otherwise the subscription's. */
  automaticTax?: boolean | undefined;
}

export function buildInvoice(sim: Sim, f: InvoiceFields, lines: LineSpec[]): Stripe.Invoice {
  const lineItems = lines.map((l) => buildLine(sim, f.id, l));
  const subtotal = lineItems.reduce((sum, l) => sum + l.amount, 0);
  const discounts = f.discounts ?? discountsInForce(sim, f.subscription, f.discountAt ?? f.created);
  const discountAmounts = applyDiscounts(sim, lineItems, discounts, f.currency);
  const totalExcludingTax = subtotal - discountAmounts.reduce((sum, d) => sum + d.amount, 0);
  const taxed = applyTax(sim, f.customer, lineItems, f.automaticTax ?? f.subscription?.automatic_tax.enabled ?? false);
  const total = totalExcludingTax + taxed.tax;
  const testClock = typeof f.customer.test_clock === 'string' ? f.customer.test_clock : null;
  return {
    id: f.id,
    object: 'invoice',
    account_country: SELLER_COUNTRY,
    account_name: 'Stripe Simulator',
    account_tax_ids: null,
    amount_due: Math.max(total, 0),
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: Math.max(total, 0),
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: taxed.automaticTax,
    automatically_finalizes_at: null,
    billing_reason: f.billingReason,
    collection_method: 'charge_automatically',
    created: f.created,
    currency: f.currency,
    custom_fields: null,
    customer: f.customer.id,
    customer_account: null,
    customer_address: f.customer.address ? structuredClone(f.customer.address) : null,
    customer_email: f.customer.email,
    customer_name: f.customer.name ?? null,
    customer_phone: f.customer.phone ?? null,
    customer_shipping: null,
    customer_tax_exempt: f.customer.tax_exempt ?? 'none',
    customer_tax_ids: invoiceTaxIds(sim, f.customer.id),
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: discountAmounts.map((d) => d.discount as string),
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lineItems, has_more: false, url: `/v1/invoices/${f.id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: f.subscription
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: {
            metadata: structuredClone(f.subscription.metadata),
            subscription: f.subscription.id,
            ...(f.prorationDate ? { subscription_proration_date: f.prorationDate } : {}),
          },
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: f.period.end,
    period_start: f.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: f.customer.balance,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: testClock,
    total,
    total_discount_amounts: discountAmounts,
    total_excluding_tax: totalExcludingTax,
    total_pretax_credit_amounts: [],
    total_taxes: taxed.totalTaxes,
    webhooks_delivered_at: f.created,
  };
}

export function subscriptionIdOf(invoice: Stripe.Invoice): string | null {
  const sub = invoice.parent?.subscription_details?.subscription;
  if (!sub) return null;
  return typeof sub === 'string' ? sub : sub.id;
}

export function customerIdOfInvoice(invoice: Stripe.Invoice): string {
  const c = invoice.customer;
  return typeof c === 'string' ? c : (c?.id ?? '');
}
