import type Stripe from 'stripe';
import type { DiscountView } from '../domain/discounts';
import { priceRole } from '../domain/pricing';
import { automaticTaxParams, taxOf } from './automatic-tax';
import { discountView } from './discounts';

export type UpcomingLineKind = 'plan' | 'seats' | 'add_on' | 'overage' | 'proration' | 'other';

export interface UpcomingLine {
  description: string | null;
  kind: UpcomingLineKind;
  amount: number;
  quantity: number | null;
  periodStart: string;
  periodEnd: string;
}

/** Stripe's preview of the subscription's next invoice, normalized for the API (amounts in minor units). */
export interface UpcomingInvoice {
  currency: string;
  subtotal: number;
  discount: number;
  /** Each discount Stripe applies to this invoice: what it takes off and its coupon (and promotion code). */
  discounts: { amount: number; discount: DiscountView }[];
  tax: number;
  /** Stripe Tax reverse-charged the invoice (an EU business customer accounts for the VAT; tax 0). */
  reverseCharge: boolean;
  total: number;
  amountDue: number;
  periodStart: string;
  periodEnd: string;
  /** When Stripe will finalize and charge it (the renewal), else null. */
  nextPaymentAttempt: string | null;
  lines: UpcomingLine[];
}

/** The discounts behind total_discount_amounts, with their coupon and promotion code. */
const DISCOUNTS_EXPAND = [
  'total_discount_amounts.discount',
  'total_discount_amounts.discount.source.coupon',
  'total_discount_amounts.discount.promotion_code',
];

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const sum = (xs: readonly { amount: number }[] | null | undefined) => (xs ?? []).reduce((s, x) => s + x.amount, 0);

/**
 * The next invoice as Stripe previews it (`POST /v1/invoices/create_preview` with the subscription): the renewal's
 * plan, seats and add-on lines, prorations waiting for it, the metered overage Stripe has received so far, and the
 * discounts and tax Stripe computes. Each line's kind comes from its price's lookup key in the catalog.
 */
export async function previewUpcomingInvoice(
  stripe: Stripe,
  ids: { customerId: string; subscriptionId: string },
  options: { stripeTax: boolean },
): Promise<UpcomingInvoice> {
  const preview = await stripe.invoices.createPreview({
    customer: ids.customerId,
    subscription: ids.subscriptionId,
    ...automaticTaxParams(options.stripeTax),
    expand: DISCOUNTS_EXPAND,
  });
  const priceIds = new Set<string>();
  for (const line of preview.lines.data) {
    const price = line.pricing?.price_details?.price;
    if (typeof price === 'string') priceIds.add(price);
  }
  const lookupKeys = new Map<string, string | null>();
  for (const id of priceIds) lookupKeys.set(id, (await stripe.prices.retrieve(id)).lookup_key);
  const lines = preview.lines.data.map((line): UpcomingLine => {
    const price = line.pricing?.price_details?.price;
    const lookupKey = typeof price === 'string' ? (lookupKeys.get(price) ?? null) : null;
    return {
      description: line.description,
      kind: line.parent?.subscription_item_details?.proration ? 'proration' : kindOf(lookupKey),
      amount: line.amount,
      quantity: line.quantity,
      periodStart: iso(line.period.start),
      periodEnd: iso(line.period.end),
    };
  });
  const { tax, reverseCharge } = taxOf(preview);
  return {
    currency: preview.currency,
    subtotal: preview.subtotal,
    discount: sum(preview.total_discount_amounts),
    discounts: (preview.total_discount_amounts ?? []).flatMap(({ amount, discount }) =>
      typeof discount === 'string' || 'deleted' in discount ? [] : [{ amount, discount: discountView(discount) }],
    ),
    tax,
    reverseCharge,
    total: preview.total,
    amountDue: preview.amount_due,
    periodStart: iso(preview.period_start),
    periodEnd: iso(preview.period_end),
    nextPaymentAttempt: preview.next_payment_attempt ? iso(preview.next_payment_attempt) : null,
    lines,
  };
}

function kindOf(lookupKey: string | null): UpcomingLineKind {
  if (lookupKey && /_overage(_yearly)?$/.test(lookupKey)) return 'overage';
  const role = priceRole(lookupKey);
  if (!role) return 'other';
  return role.kind === 'plan' ? 'plan' : role.kind === 'seat' ? 'seats' : 'add_on';
}
