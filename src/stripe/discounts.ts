import type Stripe from 'stripe';
import { PLANS } from '../domain/plans';
import type { CouponInput, DiscountView, PromotionCodeFacts, PromotionCodeInput } from '../domain/discounts';
import { productIdFor } from './catalog-sync';

/**
 * Coupons and promotion codes in Stripe (operators create them: admin routes and the CLI). Plans restrict a coupon
 * through `applies_to.products` (the catalog's product per plan, stripe/catalog-sync.ts). The idempotency key comes
 * from the caller's request, so a retried create returns the same object.
 */
export async function createCoupon(stripe: Stripe, c: CouponInput, idempotencyKey: string): Promise<Stripe.Coupon> {
  return stripe.coupons.create(
    {
      ...(c.id ? { id: c.id } : {}),
      name: c.name,
      ...(c.percentOff !== undefined ? { percent_off: c.percentOff } : {}),
      ...(c.amountOff !== undefined ? { amount_off: c.amountOff, currency: c.currency } : {}),
      duration: c.duration,
      ...(c.durationInMonths !== undefined ? { duration_in_months: c.durationInMonths } : {}),
      ...(c.plans?.length ? { applies_to: { products: c.plans.map((p) => productIdFor(PLANS[p])) } } : {}),
      ...(c.redeemBy !== undefined ? { redeem_by: Math.floor(c.redeemBy / 1000) } : {}),
      ...(c.maxRedemptions !== undefined ? { max_redemptions: c.maxRedemptions } : {}),
    },
    { idempotencyKey },
  );
}

export async function createPromotionCode(
  stripe: Stripe,
  p: PromotionCodeInput,
  idempotencyKey: string,
): Promise<Stripe.PromotionCode> {
  return stripe.promotionCodes.create(
    {
      promotion: { type: 'coupon', coupon: p.couponId },
      code: p.code,
      ...(p.expiresAt !== undefined ? { expires_at: Math.floor(p.expiresAt / 1000) } : {}),
      ...(p.maxRedemptions !== undefined ? { max_redemptions: p.maxRedemptions } : {}),
      expand: ['promotion.coupon'],
    },
    { idempotencyKey },
  );
}

/**
 * Resolve a code the way a customer types it: Stripe's list by `code` (case-insensitive), the active one first.
 * Null when no code has that text.
 */
export async function findPromotionCode(stripe: Stripe, code: string): Promise<PromotionCodeFacts | null> {
  const list = await stripe.promotionCodes.list({ code, limit: 10, expand: ['data.promotion.coupon'] });
  const found = list.data.find((p) => p.active) ?? list.data[0];
  return found ? promotionCodeFacts(found) : null;
}

export function promotionCodeFacts(p: Stripe.PromotionCode): PromotionCodeFacts {
  const coupon = p.promotion.coupon;
  if (!coupon || typeof coupon === 'string') throw new Error(`promotion code ${p.id} was read without its coupon`);
  return {
    id: p.id,
    code: p.code,
    active: p.active,
    expiresAt: p.expires_at === null ? null : p.expires_at * 1000,
    maxRedemptions: p.max_redemptions,
    timesRedeemed: p.times_redeemed,
    customer: typeof p.customer === 'string' ? p.customer : (p.customer?.id ?? null),
    coupon: {
      id: coupon.id,
      valid: coupon.valid,
      products: coupon.applies_to?.products ?? [],
      percentOff: coupon.percent_off,
      amountOff: coupon.amount_off,
      currency: coupon.currency,
      duration: coupon.duration,
      durationInMonths: coupon.duration_in_months,
    },
  };
}

export function couponView(c: Stripe.Coupon) {
  return {
    id: c.id,
    name: c.name,
    percentOff: c.percent_off,
    amountOff: c.amount_off,
    currency: c.currency,
    duration: c.duration,
    durationInMonths: c.duration_in_months,
    products: c.applies_to?.products ?? [],
    redeemBy: c.redeem_by === null ? null : new Date(c.redeem_by * 1000).toISOString(),
    maxRedemptions: c.max_redemptions,
    timesRedeemed: c.times_redeemed,
    valid: c.valid,
  };
}

export function promotionCodeView(p: Stripe.PromotionCode) {
  const coupon = p.promotion.coupon;
  return {
    id: p.id,
    code: p.code,
    couponId: typeof coupon === 'string' ? coupon : (coupon?.id ?? ''),
    active: p.active,
    expiresAt: p.expires_at === null ? null : new Date(p.expires_at * 1000).toISOString(),
    maxRedemptions: p.max_redemptions,
    timesRedeemed: p.times_redeemed,
  };
}

/** A discount (with its coupon and promotion code expanded) as the API shows it. */
export function discountView(d: Stripe.Discount): DiscountView {
  const coupon = d.source.coupon;
  const c = coupon && typeof coupon !== 'string' ? coupon : null;
  const promo = d.promotion_code;
  return {
    promotionCode: promo && typeof promo !== 'string' ? promo.code : null,
    couponId: c?.id ?? (typeof coupon === 'string' ? coupon : ''),
    name: c?.name ?? null,
    percentOff: c?.percent_off ?? null,
    amountOff: c?.amount_off ?? null,
    currency: c?.currency ?? null,
    duration: c?.duration ?? 'once',
    durationInMonths: c?.duration_in_months ?? null,
    endsAt: d.end === null ? null : new Date(d.end * 1000).toISOString(),
  };
}
