import type Stripe from 'stripe';
import { PLANS, PLAN_IDS } from '../domain/plans';
import { BILLING_INTERVALS, overageLookupKey } from '../domain/pricing';
import { currencyOptionsFor, hasCatalogCurrencyOptions } from '../domain/currency';

export interface MetersSyncResult {
  /** event_name → meter id */
  meters: Record<string, string>;
  /** overage lookup key → metered price id */
  prices: Record<string, string>;
  created: string[];
}

/** Every overage price of the catalog with its plan, metric and meter event name. */
function overagePrices() {
  return PLAN_IDS.flatMap((planId) =>
    Object.entries(PLANS[planId].overage).flatMap(([metric, o]) =>
      BILLING_INTERVALS.map((interval) => ({
        plan: PLANS[planId],
        metric,
        ...o,
        interval,
        lookupKey: overageLookupKey(o.lookupKey, interval),
      })),
    ),
  );
}

/**
 * Creates what overage billing needs in Stripe if missing: one billing meter per meter event name
 * (sum of reported values, customer by `stripe_customer_id`) and one metered price per plan, metric and
 * interval under the catalog's lookup key (a yearly term bills its overage yearly, in arrears, with the renewal). A price's unit is one block of `blockSize` units over the
 * limit (reportOverage sends blocks). Safe to run at every start: creates carry deterministic keys.
 */
export async function syncUsageMeters(stripe: Stripe): Promise<MetersSyncResult> {
  const wanted = overagePrices();
  const created: string[] = [];
  const meters: Record<string, string> = {};
  for await (const meter of stripe.billing.meters.list({ status: 'active', limit: 100 }))
    meters[meter.event_name] = meter.id;
  for (const eventName of new Set(wanted.map((w) => w.meterEventName))) {
    if (meters[eventName]) continue;
    const meter = await stripe.billing.meters.create(
      {
        display_name: `Overage: ${eventName.replace(/^billing_/, '').replace('_', ' ')}`,
        event_name: eventName,
        default_aggregation: { formula: 'sum' },
        customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
        value_settings: { event_payload_key: 'value' },
      },
      { idempotencyKey: `usage-meter:${eventName}` },
    );
    meters[eventName] = meter.id;
    created.push(meter.id);
  }
  const prices: Record<string, string> = {};
  // A price without the catalog's EUR option (synced before EUR existed) is replaced: it takes the lookup key over.
  const outdated: Record<string, string> = {};
  const keys = wanted.map((w) => w.lookupKey);
  const amountOf = new Map(wanted.map((w) => [w.lookupKey, w.unitAmount]));
  for (let i = 0; i < keys.length; i += 10) {
    const page = await stripe.prices.list({
      lookup_keys: keys.slice(i, i + 10),
      active: true,
      limit: 10,
      expand: ['data.currency_options'],
    });
    for (const price of page.data) {
      if (!price.lookup_key) continue;
      if (hasCatalogCurrencyOptions(price.currency_options, amountOf.get(price.lookup_key) ?? -1))
        prices[price.lookup_key] = price.id;
      else outdated[price.lookup_key] = price.id;
    }
  }
  for (const w of wanted) {
    if (prices[w.lookupKey]) continue;
    const price = await stripe.prices.create(
      {
        currency: w.plan.price.currency,
        unit_amount: w.unitAmount,
        currency_options: currencyOptionsFor(w.unitAmount),
        recurring: { interval: w.interval, usage_type: 'metered', meter: meters[w.meterEventName] ?? '' },
        product_data: { name: `${w.plan.name} ${w.metric.replace('_', ' ')} overage` },
        nickname: `per ${w.blockSize} ${w.metric} over the ${w.plan.name} limit`,
        lookup_key: w.lookupKey,
        transfer_lookup_key: true,
      },
      { idempotencyKey: `usage-overage-price:${w.lookupKey}:${w.unitAmount}:${w.blockSize}:eur${w.unitAmount}` },
    );
    const old = outdated[w.lookupKey];
    if (old) await stripe.prices.update(old, { active: false });
    prices[w.lookupKey] = price.id;
    created.push(price.id);
  }
  return { meters, prices, created };
}
