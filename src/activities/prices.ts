import type Stripe from 'stripe';
import { ApplicationFailure } from '@temporalio/activity';
import { getPlan, type PlanId } from '../domain/plans';
import {
  ADD_ON_IDS,
  DEFAULT_TERMS,
  addOnPrice,
  overageLookupKey,
  planPrice,
  priceRole,
  seatPrice,
  type AddOnId,
  type Terms,
} from '../domain/pricing';

/** The Stripe prices a subscription on (plan, terms) carries, resolved from the catalog's lookup keys. */
export interface TermsPrices {
  plan: string;
  seat: { id: string; quantity: number } | null;
  addOns: { addOn: AddOnId; id: string; quantity: number }[];
  /** Metered overage prices on the terms' interval, with their meters. */
  overage: { id: string; meter: string | null }[];
}

const missingPrice = (what: string) =>
  ApplicationFailure.create({
    type: 'InvalidRequest',
    nonRetryable: true,
    message: `no active Stripe price for ${what}; run npm run catalog:sync`,
  });

/**
 * Resolves every price of (plan, terms) by lookup key in one list call per ten keys (the catalog sync keeps the
 * keys on the live prices). Enterprise's price is per contract: it keeps its monthly lookup key and sells no seats.
 */
export async function pricesFor(stripe: Stripe, plan: PlanId, terms: Terms = DEFAULT_TERMS): Promise<TermsPrices> {
  const planKey = planPrice(plan, terms.interval)?.lookupKey ?? getPlan(plan).price.lookupKey;
  if (!planKey) throw missingPrice(plan);
  const seatKey = terms.seats > 0 ? (seatPrice(plan, terms.interval)?.lookupKey ?? null) : null;
  const addOnKeys = ADD_ON_IDS.flatMap((addOn) => {
    const quantity = terms.addOns[addOn] ?? 0;
    const key = quantity > 0 ? addOnPrice(addOn, plan, terms.interval)?.lookupKey : undefined;
    return key ? [{ addOn, key, quantity }] : [];
  });
  const overageKeys = Object.values(getPlan(plan).overage).map((o) => overageLookupKey(o.lookupKey, terms.interval));
  const keys = [planKey, ...(seatKey ? [seatKey] : []), ...addOnKeys.map((a) => a.key), ...overageKeys];
  const found = new Map<string, Stripe.Price>();
  for (let i = 0; i < keys.length; i += 10) {
    const page = await stripe.prices.list({ lookup_keys: keys.slice(i, i + 10), active: true, limit: 10 });
    for (const price of page.data) if (price.lookup_key) found.set(price.lookup_key, price);
  }
  const missing = keys.filter((k) => !found.has(k));
  if (missing.length > 0) throw missingPrice(`${plan} (lookup keys ${missing.join(', ')})`);
  const id = (key: string) => found.get(key)?.id ?? '';
  return {
    plan: id(planKey),
    seat: seatKey ? { id: id(seatKey), quantity: terms.seats } : null,
    addOns: addOnKeys.map((a) => ({ addOn: a.addOn, id: id(a.key), quantity: a.quantity })),
    overage: overageKeys.map((k) => ({ id: id(k), meter: meterOf(found.get(k) as Stripe.Price) })),
  };
}

const meterOf = (price: Stripe.Price): string | null => price.recurring?.meter ?? null;

export const isMeteredItem = (item: Stripe.SubscriptionItem): boolean => item.price.recurring?.usage_type === 'metered';

/** The subscription's plan item: the licensed item whose price is a plan's (else the first licensed one). */
export function planItem(sub: Stripe.Subscription): Stripe.SubscriptionItem | undefined {
  const licensed = sub.items.data.filter((item) => !isMeteredItem(item));
  return licensed.find((item) => priceRole(item.price.lookup_key)?.kind === 'plan') ?? licensed[0];
}

/** The items of a new subscription on these prices. */
export function itemsOf(prices: TermsPrices): { price: string; quantity?: number }[] {
  return [
    { price: prices.plan },
    ...(prices.seat ? [{ price: prices.seat.id, quantity: prices.seat.quantity }] : []),
    ...prices.addOns.map((a) => ({ price: a.id, quantity: a.quantity })),
    ...prices.overage.map((p) => ({ price: p.id })),
  ];
}

/**
 * The items[] of an update that moves a subscription to `prices`. Existing items keep their ids and only change
 * price or quantity (the seat item stays the seat item, an add-on's item its add-on's, a metered item takes the
 * target price on the same meter), so a retry computed after the first attempt took effect sends the same
 * parameters under the same idempotency key. Items without a counterpart are removed, missing ones added.
 */
export function itemsForPrices(sub: Stripe.Subscription, prices: TermsPrices): Stripe.SubscriptionUpdateParams.Item[] {
  const out: Stripe.SubscriptionUpdateParams.Item[] = [];
  const plan = planItem(sub);
  out.push(plan ? { id: plan.id, price: prices.plan } : { price: prices.plan });
  const others = sub.items.data.filter((item) => item !== plan);
  const licensed = others.filter((item) => !isMeteredItem(item));
  const seatItem = licensed.find((item) => priceRole(item.price.lookup_key)?.kind === 'seat');
  if (prices.seat)
    out.push({ ...(seatItem ? { id: seatItem.id } : {}), price: prices.seat.id, quantity: prices.seat.quantity });
  else if (seatItem) out.push({ id: seatItem.id, deleted: true });
  const addOnOf = (item: Stripe.SubscriptionItem) => {
    const role = priceRole(item.price.lookup_key);
    return role?.kind === 'addOn' ? role.addOn : null;
  };
  for (const item of licensed.filter((i) => i !== seatItem)) {
    const target = prices.addOns.find((a) => a.addOn === addOnOf(item));
    out.push(target ? { id: item.id, price: target.id, quantity: target.quantity } : { id: item.id, deleted: true });
  }
  for (const a of prices.addOns.filter((a) => !licensed.some((item) => addOnOf(item) === a.addOn)))
    out.push({ price: a.id, quantity: a.quantity });
  const metered = others.filter(isMeteredItem);
  const counterpart = (m: Stripe.SubscriptionItem) =>
    prices.overage.find((p) => p.meter !== null && p.meter === meterOf(m.price));
  for (const m of metered) {
    const target = counterpart(m);
    out.push(target ? { id: m.id, price: target.id } : { id: m.id, deleted: true });
  }
  for (const p of prices.overage.filter((p) => !metered.some((m) => counterpart(m) === p))) out.push({ price: p.id });
  return out;
}
