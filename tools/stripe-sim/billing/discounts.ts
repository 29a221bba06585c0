import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from '../http/errors';
import type { Sim } from '../sim';
import { shiftByIntervals } from './periods';

/**
 * Coupons, promotion codes and discounts (README, "Discounts"): a redemption (`discounts: [{ coupon |
 * promotion_code | discount }]` on a subscription) creates a Discount for the subscription; invoices apply the
 * subscription's discounts to their discountable lines (`discount_amounts`, `total_discount_amounts`). A `once`
 * coupon is used up by the first invoice it reduces, a `repeating` one ends `duration_in_months` after it started
 * (the discount's `end`), a `forever` one never ends.
 */

export interface DiscountSpec {
  coupon?: string | undefined;
  promotion_code?: string | undefined;
  discount?: string | undefined;
}

export interface RedemptionTarget {
  customer: string;
  subscription: string;
  /** The products of the subscription's prices: a coupon restricted by `applies_to.products` must name one. */
  products: string[];
}

function couponIdOf(discount: Stripe.Discount): string {
  const c = discount.source.coupon;
  return typeof c === 'string' ? c : (c?.id ?? '');
}

/** A coupon is valid until its `redeem_by` passes or it has been redeemed `max_redemptions` times. */
export function refreshCoupon(coupon: Stripe.Coupon, at: number): Stripe.Coupon {
  coupon.valid =
    (coupon.redeem_by === null || at < coupon.redeem_by) &&
    (coupon.max_redemptions === null || coupon.times_redeemed < coupon.max_redemptions);
  return coupon;
}

/** A promotion code is active only while it is switched on, unexpired, not exhausted, and its coupon is valid. */
export function refreshPromotionCode(sim: Sim, code: Stripe.PromotionCode, at: number): Stripe.PromotionCode {
  const couponId = typeof code.promotion.coupon === 'string' ? code.promotion.coupon : code.promotion.coupon?.id;
  const coupon = sim.state.coupons[couponId ?? ''];
  if (coupon) refreshCoupon(coupon, at);
  return code;
}

interface PlannedRedemption {
  coupon: Stripe.Coupon;
  promotionCode: Stripe.PromotionCode | null;
  existing: Stripe.Discount | null;
}

function checkCoupon(coupon: Stripe.Coupon, target: RedemptionTarget, at: number, param: string): void {
  refreshCoupon(coupon, at);
  if (coupon.redeem_by !== null && at >= coupon.redeem_by)
    throw invalidRequest(`Coupon expired: ${coupon.id}`, param, 'coupon_expired');
  if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions)
    throw invalidRequest(
      `Coupon ${coupon.id} has already been redeemed the maximum number of times (${coupon.max_redemptions}).`,
      param,
      'coupon_expired',
    );
  const products = coupon.applies_to?.products ?? [];
  if (products.length > 0 && !target.products.some((p) => products.includes(p)))
    throw invalidRequest(`The coupon ${coupon.id} does not apply to any of the products on this subscription.`, param);
}

function checkPromotionCode(code: Stripe.PromotionCode, target: RedemptionTarget, at: number, param: string): void {
  if (!code.active) throw invalidRequest(`This promotion code (${code.code}) is not active.`, param);
  if (code.expires_at !== null && at >= code.expires_at)
    throw invalidRequest(`This promotion code (${code.code}) has expired.`, param);
  if (code.max_redemptions !== null && code.times_redeemed >= code.max_redemptions)
    throw invalidRequest(
      `This promotion code (${code.code}) has already been redeemed the maximum number of times (${code.max_redemptions}).`,
      param,
    );
  const customer = typeof code.customer === 'string' ? code.customer : (code.customer?.id ?? null);
  if (customer !== null && customer !== target.customer)
    throw invalidRequest(`This promotion code (${code.code}) cannot be used by this customer.`, param);
}

/**
 * Validate every redemption first (Stripe refuses the whole request when one fails), so that nothing is
 * redeemed when one of them is refused; `commitDiscounts` then creates the discounts.
 */
export function planDiscounts(
  sim: Sim,
  specs: DiscountSpec[],
  target: RedemptionTarget,
  at: number,
): PlannedRedemption[] {
  const planned = specs.map((spec, i): PlannedRedemption => {
    const set = [spec.coupon, spec.promotion_code, spec.discount].filter((v) => v !== undefined);
    if (set.length !== 1)
      throw invalidRequest(
        'Each discount must name exactly one of `coupon`, `promotion_code` or `discount`.',
        `discounts[${i}]`,
        'parameter_invalid',
      );
    if (spec.discount !== undefined) {
      const existing = sim.state.discounts[spec.discount];
      if (!existing || existing.subscription !== target.subscription)
        throw resourceMissing('discount', spec.discount, `discounts[${i}][discount]`);
      const coupon = sim.state.coupons[couponIdOf(existing)] ?? sim.state.deletedCoupons[couponIdOf(existing)];
      if (!coupon) throw resourceMissing('coupon', couponIdOf(existing), `discounts[${i}][discount]`);
      return { coupon, promotionCode: null, existing };
    }
    if (spec.promotion_code !== undefined) {
      const param = `discounts[${i}][promotion_code]`;
      const code = sim.state.promotionCodes[spec.promotion_code];
      if (!code) throw resourceMissing('promotion_code', spec.promotion_code, param);
      checkPromotionCode(code, target, at, param);
      const coupon = sim.state.coupons[typeof code.promotion.coupon === 'string' ? code.promotion.coupon : ''];
      if (!coupon) throw resourceMissing('coupon', String(code.promotion.coupon), param);
      checkCoupon(coupon, target, at, param);
      return { coupon, promotionCode: code, existing: null };
    }
    const param = `discounts[${i}][coupon]`;
    const coupon = sim.state.coupons[spec.coupon ?? ''];
    if (!coupon) throw resourceMissing('coupon', spec.coupon ?? '', param);
    checkCoupon(coupon, target, at, param);
    return { coupon, promotionCode: null, existing: null };
  });
  const coupons = planned.map((p) => p.coupon.id);
  if (new Set(coupons).size !== coupons.length)
    throw invalidRequest('The same coupon cannot be applied more than once.', 'discounts', 'parameter_invalid');
  return planned;
}

/** A discount object for a redemption (not stored: previews use these as they are). */
export function discountFor(
  sim: Sim,
  plan: PlannedRedemption,
  target: RedemptionTarget,
  at: number,
  idPrefix = 'di',
): Stripe.Discount {
  if (plan.existing) return plan.existing;
  const { coupon } = plan;
  return {
    id: sim.id(idPrefix),
    object: 'discount',
    checkout_session: null,
    customer: target.customer,
    customer_account: null,
    end:
      coupon.duration === 'repeating' && coupon.duration_in_months
        ? shiftByIntervals(at, 'month', 1, coupon.duration_in_months)
        : null,
    invoice: null,
    invoice_item: null,
    promotion_code: plan.promotionCode?.id ?? null,
    source: { type: 'coupon', coupon: coupon.id },
    start: at,
    subscription: target.subscription,
    subscription_item: null,
  };
}

/** Redeem the planned discounts: count the redemptions, store the discounts, return their ids in order. */
export function commitDiscounts(
  sim: Sim,
  planned: PlannedRedemption[],
  target: RedemptionTarget,
  at: number,
): string[] {
  return planned.map((plan) => {
    if (plan.existing) return plan.existing.id;
    const discount = discountFor(sim, plan, target, at);
    plan.coupon.times_redeemed += 1;
    refreshCoupon(plan.coupon, at);
    if (plan.promotionCode) plan.promotionCode.times_redeemed += 1;
    sim.state.discounts[discount.id] = discount;
    sim.emit('customer.discount.created', discount, at);
    return discount.id;
  });
}

/** Take discounts off a subscription (removal, replacement, a `once` coupon used, a `repeating` one ended). */
export function removeDiscounts(sim: Sim, sub: Stripe.Subscription, ids: string[], at: number): void {
  if (ids.length === 0) return;
  sub.discounts = sub.discounts.filter((d) => !ids.includes(typeof d === 'string' ? d : d.id));
  for (const id of ids) {
    const discount = sim.state.discounts[id];
    if (discount) sim.emit('customer.discount.deleted', discount, at);
  }
}

/**
 * After a subscription invoice: a `once` discount that reduced it is used up, and a `repeating` discount whose
 * `end` has passed comes off the subscription (Stripe deletes both; `customer.discount.deleted`).
 */
export function endUsedDiscounts(sim: Sim, sub: Stripe.Subscription, invoice: Stripe.Invoice, at: number): void {
  const used = new Set(
    invoice.total_discount_amounts?.map((d) => (typeof d.discount === 'string' ? d.discount : d.discount.id)),
  );
  const ended = sub.discounts
    .map((d) => sim.state.discounts[typeof d === 'string' ? d : d.id])
    .filter((d): d is Stripe.Discount => d !== undefined)
    .filter(
      (d) =>
        (d.end !== null && at >= d.end) ||
        (used.has(d.id) &&
          (sim.state.coupons[couponIdOf(d)] ?? sim.state.deletedCoupons[couponIdOf(d)])?.duration === 'once'),
    )
    .map((d) => d.id);
  removeDiscounts(sim, sub, ended, at);
}

/** The subscription's discounts still in force at `at` (a repeating discount's `end` is exclusive). */
export function discountsInForce(sim: Sim, sub: Stripe.Subscription | null, at: number): Stripe.Discount[] {
  if (!sub) return [];
  return sub.discounts
    .map((d) => sim.state.discounts[typeof d === 'string' ? d : d.id])
    .filter((d): d is Stripe.Discount => d !== undefined && (d.end === null || at < d.end));
}

/**
 * Reduce an invoice's discountable lines by the discounts, in order (each discount applies to what the earlier ones
 * left). `percent_off` reduces each eligible line by its share, rounded per line; `amount_off` (in the invoice's
 * currency) is taken off the eligible lines' subtotal once per invoice, split across them in proportion and never
 * below zero. Returns the amount each discount took.
 */
export function applyDiscounts(
  sim: Sim,
  lines: Stripe.InvoiceLineItem[],
  discounts: Stripe.Discount[],
  currency: string,
): Stripe.Invoice.TotalDiscountAmount[] {
  const totals: Stripe.Invoice.TotalDiscountAmount[] = [];
  const remaining = new Map(lines.map((l) => [l, l.amount]));
  for (const discount of discounts) {
    const id = couponIdOf(discount);
    const coupon = sim.state.coupons[id] ?? sim.state.deletedCoupons[id];
    if (!coupon) continue;
    const products = coupon.applies_to?.products ?? [];
    const eligible = lines.filter((l) => {
      const product = l.pricing?.price_details?.product;
      return (
        l.discountable &&
        (remaining.get(l) ?? 0) > 0 &&
        (products.length === 0 || (typeof product === 'string' && products.includes(product)))
      );
    });
    if (eligible.length === 0) continue;
    const amounts = new Map<Stripe.InvoiceLineItem, number>();
    if (coupon.percent_off !== null) {
      for (const l of eligible) amounts.set(l, Math.round(((remaining.get(l) ?? 0) * coupon.percent_off) / 100));
    } else if (coupon.amount_off !== null && coupon.currency === currency) {
      const base = eligible.reduce((sum, l) => sum + (remaining.get(l) ?? 0), 0);
      const off = Math.min(coupon.amount_off, base);
      let given = 0;
      eligible.forEach((l, i) => {
        const share = i === eligible.length - 1 ? off - given : Math.floor((off * (remaining.get(l) ?? 0)) / base);
        given += share;
        amounts.set(l, share);
      });
    }
    let total = 0;
    for (const [line, amount] of amounts) {
      if (amount <= 0) continue;
      line.discount_amounts = [...(line.discount_amounts ?? []), { amount, discount: discount.id }];
      line.discounts = [...line.discounts, discount.id];
      remaining.set(line, (remaining.get(line) ?? 0) - amount);
      total += amount;
    }
    if (total > 0) totals.push({ amount: total, discount: discount.id });
  }
  return totals;
}
