import { ApplicationFailure } from '@temporalio/activity';
import type Stripe from 'stripe';
import { promotionCodeRefusal } from '../domain/discounts';
import { idempotencyKey } from '../domain/subscription/stripe';
import { findPromotionCode } from '../stripe/discounts';
import { loadSubscriptionSnapshot, SUBSCRIPTION_EXPAND } from '../stripe/snapshots';
import type { ActivityDeps } from './deps';
import type { ApplyDiscountInput, SubscriptionSnapshot, SubscriptionUpdateInput } from './types';
import { automaticTaxParams } from '../stripe/automatic-tax';

/** The subscription read back with its discount (coupon and promotion code expanded) for the snapshot. */
export const DISCOUNT_EXPAND = [
  ...SUBSCRIPTION_EXPAND,
  'discounts',
  'discounts.source.coupon',
  'discounts.promotion_code',
];

/**
 * The promotion code a customer typed, resolved with Stripe's list by `code` and judged before anything is redeemed:
 * unknown, inactive, expired, used up or not for this plan is a final InvalidRequest naming the reason
 * (`details.promotionCode`), so nothing reaches the subscription. Stripe judges again when it redeems.
 */
export async function judgedPromotionCode(
  stripe: Stripe,
  code: string,
  ctx: { products: string[]; customer: string | null; currency: string; now: number },
): Promise<string> {
  const facts = await findPromotionCode(stripe, code);
  const refusal = promotionCodeRefusal(facts, ctx);
  if (refusal || !facts)
    throw ApplicationFailure.create({
      type: 'InvalidRequest',
      nonRetryable: true,
      message: refusal?.message ?? 'There is no such promotion code',
      details: [{ promotionCode: refusal?.reason ?? 'unknown' }],
    });
  return facts.id;
}

function productOf(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}

export function discountActivities(deps: ActivityDeps) {
  const { stripe } = deps;
  const tax = automaticTaxParams(deps.stripeTax);
  return {
    /** Replaces the subscription's discounts with the code's (Stripe: a populated `discounts` overwrites). */
    async applyDiscount({
      subscriptionId,
      promotionCode,
      step,
      asOf,
    }: ApplyDiscountInput): Promise<SubscriptionSnapshot> {
      const current = await stripe.subscriptions.retrieve(subscriptionId);
      const promotionCodeId = await judgedPromotionCode(stripe, promotionCode, {
        products: current.items.data.map((i) => productOf(i.price)),
        customer: typeof current.customer === 'string' ? current.customer : current.customer.id,
        currency: current.currency,
        now: asOf,
      });
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        { discounts: [{ promotion_code: promotionCodeId }], ...tax, expand: DISCOUNT_EXPAND },
        { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) },
      );
      return loadSubscriptionSnapshot(stripe, sub);
    },

    /** `discounts=''` clears them (Stripe's rule for an empty string). */
    async removeDiscount({ subscriptionId, step }: SubscriptionUpdateInput): Promise<SubscriptionSnapshot> {
      const sub = await stripe.subscriptions.update(
        subscriptionId,
        { discounts: '', ...tax, expand: DISCOUNT_EXPAND },
        { idempotencyKey: idempotencyKey.updateSubscription(subscriptionId, step) },
      );
      return loadSubscriptionSnapshot(stripe, sub);
    },
  };
}
