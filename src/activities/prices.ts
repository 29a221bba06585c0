import type Stripe from 'stripe';
import { ApplicationFailure } from '@temporalio/activity';
import { getPlan, type PlanId } from '../domain/plans';

/** Resolves a plan's current Stripe price by lookup key (the catalog sync keeps the key on the live price). */
export async function priceIdFor(stripe: Stripe, plan: PlanId): Promise<string> {
  const lookupKey = getPlan(plan).price.lookupKey;
  const [price] = lookupKey
    ? (await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 })).data
    : [];
  if (!price) {
    throw ApplicationFailure.create({
      type: 'InvalidRequest',
      nonRetryable: true,
      message: `no active Stripe price for ${plan}${lookupKey ? ` (lookup key ${lookupKey}); run npm run catalog:sync` : ''}`,
    });
  }
  return price.id;
}

/** The plan's metered overage prices (by the catalog's lookup keys) with their meters; none for plans without priced overage. */
export async function overagePricesFor(stripe: Stripe, plan: PlanId): Promise<{ id: string; meter: string | null }[]> {
  const lookupKeys = Object.values(getPlan(plan).overage).map((o) => o.lookupKey);
  if (lookupKeys.length === 0) return [];
  const prices = (await stripe.prices.list({ lookup_keys: lookupKeys, active: true, limit: lookupKeys.length })).data;
  const missing = lookupKeys.filter((key) => !prices.some((p) => p.lookup_key === key));
  if (missing.length > 0) {
    throw ApplicationFailure.create({
      type: 'InvalidRequest',
      nonRetryable: true,
      message: `no active Stripe price for ${missing.join(', ')}; run npm run catalog:sync`,
    });
  }
  return prices.map((p) => ({ id: p.id, meter: meterOf(p) }));
}

const meterOf = (price: Stripe.Price): string | null => price.recurring?.meter ?? null;

export const isMeteredItem = (item: Stripe.SubscriptionItem): boolean => item.price.recurring?.usage_type === 'metered';

/** The subscription's licensed (plan) item: the one that is not a metered overage item. */
export function planItem(sub: Stripe.Subscription): Stripe.SubscriptionItem | undefined {
  return sub.items.data.find((item) => !isMeteredItem(item));
}

/**
 * The items[] of an update that moves a subscription to `price` with `overagePrices`. Existing items keep
 * their ids and only change price (a metered item takes the target price on the same meter), so a retry
 * computed after the first attempt took effect sends the same parameters under the same idempotency key.
 * Metered items without a counterpart are removed, missing ones added.
 */
export function itemsForPlan(
  sub: Stripe.Subscription,
  price: string,
  overagePrices: readonly { id: string; meter: string | null }[],
): Stripe.SubscriptionUpdateParams.Item[] {
  const item = planItem(sub);
  const metered = sub.items.data.filter(isMeteredItem);
  const counterpart = (m: Stripe.SubscriptionItem) =>
    overagePrices.find((p) => p.meter !== null && p.meter === meterOf(m.price));
  return [
    item ? { id: item.id, price } : { price },
    ...metered.map((m) => {
      const target = counterpart(m);
      return target ? { id: m.id, price: target.id } : { id: m.id, deleted: true };
    }),
    ...overagePrices.filter((p) => !metered.some((m) => counterpart(m) === p)).map((p) => ({ price: p.id })),
  ];
}
