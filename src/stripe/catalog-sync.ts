import type Stripe from 'stripe';
import { PLAN_IDS, PLANS, type Plan } from '../domain/plans';
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
 * Creates or updates a product per paid plan and a monthly price per lookup key. Prices are immutable in
 * Stripe: a changed amount creates a new price that takes the lookup key over (`transfer_lookup_key`), and the
 * old one is archived, so existing subscriptions keep their price until changed. Then the overage meters and
 * metered prices (syncUsageMeters). Safe to run repeatedly.
 */
export async function syncCatalog(stripe: Stripe): Promise<CatalogSyncReport> {
  const report: Omit<CatalogSyncReport, 'meters'> = { products: [], prices: [] };
  for (const plan of PLAN_IDS.map((id) => PLANS[id]).filter((p) => p.id !== 'free')) {
    const productId = productIdFor(plan);
    report.products.push({ plan: plan.id, productId, action: await upsertProduct(stripe, plan, productId) });
    const { unitAmount, lookupKey, currency, interval } = plan.price;
    if (unitAmount === null || lookupKey === null) continue;
    const [existing] = (await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 })).data;
    if (
      existing &&
      existing.unit_amount === unitAmount &&
      existing.currency === currency &&
      existing.recurring?.interval === interval
    ) {
      report.prices.push({ lookupKey, priceId: existing.id, action: 'unchanged' });
      continue;
    }
    const price = await stripe.prices.create(
      {
        product: productId,
        currency,
        unit_amount: unitAmount,
        recurring: { interval },
        lookup_key: lookupKey,
        transfer_lookup_key: true,
        metadata: { plan: plan.id },
      },
      { idempotencyKey: `catalog:price:${lookupKey}:${currency}:${unitAmount}:${interval}` },
    );
    if (existing) await stripe.prices.update(existing.id, { active: false });
    report.prices.push({ lookupKey, priceId: price.id, action: existing ? 'updated' : 'created' });
  }
  return { ...report, meters: await syncUsageMeters(stripe) };
}

async function upsertProduct(stripe: Stripe, plan: Plan, productId: string): Promise<CatalogAction> {
  try {
    const product = await stripe.products.retrieve(productId);
    if (product.name === plan.name && product.active) return 'unchanged';
    await stripe.products.update(productId, { name: plan.name, active: true });
    return 'updated';
  } catch (err) {
    if (!isResourceMissing(err)) throw err;
    await stripe.products.create(
      { id: productId, name: plan.name, metadata: { plan: plan.id } },
      { idempotencyKey: `catalog:product:${productId}` },
    );
    return 'created';
  }
}
