import type Stripe from 'stripe';
import { PLAN_IDS, PLANS, type Plan } from '../domain/plans';
import {
  ADD_ONS,
  ADD_ON_IDS,
  BILLING_INTERVALS,
  addOnPrice,
  planPrice,
  seatPrice,
  type BillingInterval,
  type TermPrice,
} from '../domain/pricing';
import { currencyOptionsFor, hasCatalogCurrencyOptions } from '../domain/currency';
import { syncUsageMeters, type MetersSyncResult } from '../usage/meters-sync';
import { isResourceMissing } from './errors';

export type CatalogAction = 'created' | 'updated' | 'unchanged';
export interface CatalogSyncReport {
  products: { plan: string; productId: string; action: CatalogAction }[];
  prices: { lookupKey: string; priceId: string; action: CatalogAction }[];
  /** The billing meters and metered overage prices every paid subscription carries. */
  meters: MetersSyncResult;
}

/** Our product ids are derived from the plan, so a second run finds what the first created. */
export const productIdFor = (plan: Plan): string => `billing_${plan.id}`;

/**
 * Creates or updates a product per paid plan (and per extra seat and add-on pack) and a monthly and a yearly price
 * per lookup key, in USD with its EUR amount as `currency_options` (domain/currency.ts). Prices are immutable in
 * Stripe: a changed amount creates a new price that takes the lookup key over (`transfer_lookup_key`), and the
 * old one is archived, so existing subscriptions keep their price until changed. Then the overage meters and
 * metered prices (syncUsageMeters). Safe to run repeatedly.
 */
export async function syncCatalog(stripe: Stripe): Promise<CatalogSyncReport> {
  const report: Omit<CatalogSyncReport, 'meters'> = { products: [], prices: [] };
  for (const product of catalogProducts()) {
    report.products.push({
      plan: product.plan,
      productId: product.id,
      action: await upsertProduct(stripe, product),
    });
    for (const price of product.prices) report.prices.push(await upsertPrice(stripe, product.id, product.plan, price));
  }
  return { ...report, meters: await syncUsageMeters(stripe) };
}

interface CatalogProduct {
  id: string;
  name: string;
  plan: string;
  prices: TermPrice[];
}

/** Every licensed price the catalog sells: each paid plan on both intervals, its extra seat, and each add-on pack. */
function catalogProducts(): CatalogProduct[] {
  const paid = PLAN_IDS.map((id) => PLANS[id]).filter((p) => p.id !== 'free');
  const both = (of: (interval: BillingInterval) => TermPrice | null) =>
    BILLING_INTERVALS.flatMap((interval) => of(interval) ?? []);
  return [
    ...paid.map((plan) => ({
      id: productIdFor(plan),
      name: plan.name,
      plan: plan.id,
      prices: both((interval) => planPrice(plan.id, interval)),
    })),
    ...paid
      .filter((plan) => seatPrice(plan.id, 'month') !== null)
      .map((plan) => ({
        id: `billing_${plan.id}_seat`,
        name: `${plan.name} extra seat`,
        plan: plan.id,
        prices: both((interval) => seatPrice(plan.id, interval)),
      })),
    ...ADD_ON_IDS.map((addOn) => {
      const sellsIt = ADD_ONS[addOn].plans[0] ?? 'starter';
      return {
        id: `billing_addon_${addOn}`,
        name: ADD_ONS[addOn].name,
        plan: `addon:${addOn}`,
        // Add-on prices are the same on every plan that offers them: one price per interval.
        prices: both((interval) => addOnPrice(addOn, sellsIt, interval)),
      };
    }),
  ];
}

async function upsertPrice(
  stripe: Stripe,
  productId: string,
  plan: string,
  { unitAmount, lookupKey, currency, interval }: TermPrice,
): Promise<CatalogSyncReport['prices'][number]> {
  const [existing] = (
    await stripe.prices.list({
      lookup_keys: [lookupKey],
      active: true,
      limit: 1,
      expand: ['data.currency_options'],
    })
  ).data;
  if (
    existing &&
    existing.unit_amount === unitAmount &&
    existing.currency === currency &&
    existing.recurring?.interval === interval &&
    hasCatalogCurrencyOptions(existing.currency_options, unitAmount)
  )
    return { lookupKey, priceId: existing.id, action: 'unchanged' };
  const price = await stripe.prices.create(
    {
      product: productId,
      currency,
      unit_amount: unitAmount,
      currency_options: currencyOptionsFor(unitAmount),
      recurring: { interval },
      lookup_key: lookupKey,
      transfer_lookup_key: true,
      metadata: { plan },
    },
    { idempotencyKey: `catalog:price:${lookupKey}:${currency}:${unitAmount}:${interval}:eur${unitAmount}` },
  );
  if (existing) await stripe.prices.update(existing.id, { active: false });
  return { lookupKey, priceId: price.id, action: existing ? 'updated' : 'created' };
}

async function upsertProduct(stripe: Stripe, { id: productId, name, plan }: CatalogProduct): Promise<CatalogAction> {
  try {
    const product = await stripe.products.retrieve(productId);
    if (product.name === name && product.active) return 'unchanged';
    await stripe.products.update(productId, { name, active: true });
    return 'updated';
  } catch (err) {
    if (!isResourceMissing(err)) throw err;
    await stripe.products.create(
      { id: productId, name, metadata: { plan } },
      { idempotencyKey: `catalog:product:${productId}` },
    );
    return 'created';
  }
}
