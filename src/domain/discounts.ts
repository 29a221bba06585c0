import { PLAN_IDS, type PlanId } from './plans';

/**
 * Coupons and promotion codes (issue #21): the rules the service applies before Stripe sees a request, so a bad
 * coupon or an unusable code is refused with a clear message and nothing is redeemed.
 */

export const COUPON_DURATIONS = ['once', 'repeating', 'forever'] as const;
export type CouponDuration = (typeof COUPON_DURATIONS)[number];
export const DISCOUNT_CURRENCIES = ['usd', 'eur'] as const;
export const PAID_PLAN_IDS = PLAN_IDS.filter((p) => p !== 'free') as Exclude<PlanId, 'free'>[];

/** Stripe's limits: a coupon id of letters, digits, `_` and `-`; a promotion code of letters and digits. */
export const COUPON_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const PROMOTION_CODE = /^[A-Za-z0-9]{3,40}$/;

export interface CouponInput {
  /** Own coupon id (Stripe generates one when absent). */
  id?: string | undefined;
  name: string;
  percentOff?: number | undefined;
  /** Minor units (cents) of `currency`. */
  amountOff?: number | undefined;
  currency?: (typeof DISCOUNT_CURRENCIES)[number] | undefined;
  duration: CouponDuration;
  durationInMonths?: number | undefined;
  /** Restrict the coupon to these plans' products (all paid plans when absent). */
  plans?: Exclude<PlanId, 'free'>[] | undefined;
  /** Last moment it can be redeemed, epoch ms. */
  redeemBy?: number | undefined;
  maxRedemptions?: number | undefined;
}

/** What is wrong with a coupon, or null: the combinations Stripe refuses, said in the API's words. */
export function couponInputError(c: CouponInput, now: number): string | null {
  if ((c.percentOff === undefined) === (c.amountOff === undefined))
    return 'give exactly one of percentOff or amountOff';
  if (c.amountOff !== undefined && c.currency === undefined) return 'amountOff needs a currency';
  if (c.percentOff !== undefined && c.currency !== undefined) return 'currency goes with amountOff only';
  if (c.duration === 'repeating' && c.durationInMonths === undefined)
    return 'a repeating coupon needs durationInMonths';
  if (c.duration !== 'repeating' && c.durationInMonths !== undefined)
    return 'durationInMonths goes with a repeating coupon only';
  if (c.redeemBy !== undefined && c.redeemBy <= now) return 'redeemBy must be in the future';
  if (c.plans !== undefined && new Set(c.plans).size !== c.plans.length) return 'plans lists a plan twice';
  return null;
}

export interface PromotionCodeInput {
  code: string;
  couponId: string;
  /** Epoch ms; in the future. */
  expiresAt?: number | undefined;
  maxRedemptions?: number | undefined;
}

/** A promotion code as the service judges it before redeeming it (read from Stripe). */
export interface PromotionCodeFacts {
  id: string;
  code: string;
  active: boolean;
  expiresAt: number | null;
  maxRedemptions: number | null;
  timesRedeemed: number;
  /** Restricted to one Stripe customer (null: anyone). */
  customer: string | null;
  coupon: {
    id: string;
    valid: boolean;
    /** Stripe product ids the coupon is limited to (empty: any). */
    products: string[];
    percentOff: number | null;
    amountOff: number | null;
    currency: string | null;
    duration: string;
    durationInMonths: number | null;
  };
}

export type PromotionCodeRefusal = 'unknown' | 'inactive' | 'expired' | 'exhausted' | 'not_applicable';

/**
 * Why a code cannot be redeemed for a subscription to `products` by `customer` at `now`, or null when it can.
 * Stripe would refuse the same redemption (an inactive, expired, used-up code; a coupon for other products).
 */
export function promotionCodeRefusal(
  facts: PromotionCodeFacts | null,
  ctx: { products: string[]; customer: string | null; currency: string; now: number },
): { reason: PromotionCodeRefusal; message: string } | null {
  if (!facts) return { reason: 'unknown', message: 'There is no such promotion code' };
  const label = `The promotion code ${facts.code}`;
  if (!facts.active) return { reason: 'inactive', message: `${label} is no longer active` };
  if (facts.expiresAt !== null && ctx.now >= facts.expiresAt)
    return { reason: 'expired', message: `${label} expired on ${new Date(facts.expiresAt).toISOString()}` };
  if (facts.maxRedemptions !== null && facts.timesRedeemed >= facts.maxRedemptions)
    return { reason: 'exhausted', message: `${label} has been used up (${facts.maxRedemptions} redemptions)` };
  if (!facts.coupon.valid) return { reason: 'expired', message: `${label}'s offer has ended` };
  if (facts.customer !== null && facts.customer !== ctx.customer)
    return { reason: 'not_applicable', message: `${label} belongs to another customer` };
  const { products, amountOff, currency } = facts.coupon;
  if (products.length > 0 && !ctx.products.some((p) => products.includes(p)))
    return { reason: 'not_applicable', message: `${label} does not apply to this plan` };
  if (amountOff !== null && currency !== ctx.currency)
    return { reason: 'not_applicable', message: `${label} is for ${currency?.toUpperCase() ?? 'another currency'}` };
  return null;
}

/** The discount as the API shows it (GET /subscription, previews). */
export interface DiscountView {
  promotionCode: string | null;
  couponId: string;
  name: string | null;
  percentOff: number | null;
  amountOff: number | null;
  currency: string | null;
  duration: string;
  durationInMonths: number | null;
  /** When a repeating discount stops applying (ISO), null for once and forever. */
  endsAt: string | null;
}
