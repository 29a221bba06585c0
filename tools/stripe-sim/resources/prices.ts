import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { paginate } from '../http/list';
import { applyMetadata, formBool, formExpand, formInt, formMetadata, listParams, parseParams } from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { createProduct } from './products';

const recurring = z.strictObject({
  interval: z.enum(['day', 'week', 'month', 'year']),
  interval_count: formInt.pipe(z.number().int().min(1)).optional(),
  usage_type: z.enum(['licensed', 'metered']).optional(),
  meter: z.string().optional(),
  trial_period_days: formInt.optional(),
});
const currencyOption = z.strictObject({
  unit_amount: formInt.pipe(z.number().int().min(0)),
  tax_behavior: z.enum(['exclusive', 'inclusive', 'unspecified']).optional(),
});
const createSchema = z.strictObject({
  currency: z.string().length(3),
  currency_options: z.record(z.string().length(3), currencyOption).optional(),
  unit_amount: formInt.pipe(z.number().int().min(0)).optional(),
  product: z.string().optional(),
  product_data: z.strictObject({ name: z.string().min(1), metadata: formMetadata.optional() }).optional(),
  recurring: recurring.optional(),
  lookup_key: z.string().optional(),
  transfer_lookup_key: formBool.optional(),
  nickname: z.string().optional(),
  active: formBool.optional(),
  metadata: formMetadata.optional(),
  billing_scheme: z.literal('per_unit').optional(),
  tax_behavior: z.enum(['exclusive', 'inclusive', 'unspecified']).optional(),
  expand: formExpand.optional(),
});
const updateSchema = z.strictObject({
  active: formBool.optional(),
  metadata: formMetadata.optional(),
  nickname: z.string().optional(),
  lookup_key: z.string().optional(),
  transfer_lookup_key: formBool.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({
  ...listParams,
  active: formBool.optional(),
  product: z.string().optional(),
  type: z.enum(['one_time', 'recurring']).optional(),
  lookup_keys: z.array(z.string()).optional(),
  currency: z.string().optional(),
  recurring: z
    .strictObject({ interval: z.string().optional(), usage_type: z.string().optional(), meter: z.string().optional() })
    .optional(),
});

/** Stripe sends decimal amounts as JSON strings; the SDK types them as a branded Decimal. */
function decimalString(value: number): Stripe.Decimal {
  return String(value) as unknown as Stripe.Decimal;
}

/** A lookup key names one price; `transfer_lookup_key` moves it from the current holder. */
function claimLookupKey(sim: Sim, key: string, transfer: boolean | undefined): void {
  const holder = Object.values(sim.state.prices).find((p) => p.lookup_key === key);
  if (!holder) return;
  if (!transfer) throw invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
  holder.lookup_key = null;
}

/**
 * `currency_options[<currency>][unit_amount]`: the price's amount in further currencies (Stripe's multi-currency
 * prices). The default currency is the price's own `currency` and `unit_amount`; naming it again is refused.
 */
function currencyOptionsOf(
  price: Stripe.Price,
  options: Record<string, z.output<typeof currencyOption>> | undefined,
): Record<string, Stripe.Price.CurrencyOptions> | undefined {
  if (!options || Object.keys(options).length === 0) return undefined;
  const out: Record<string, Stripe.Price.CurrencyOptions> = {};
  for (const [raw, option] of Object.entries(options)) {
    const currency = raw.toLowerCase();
    if (currency === price.currency)
      throw invalidRequest(
        `currency_options[${raw}] cannot be the price's default currency; set unit_amount instead.`,
        `currency_options[${raw}]`,
      );
    out[currency] = {
      custom_unit_amount: null,
      tax_behavior: option.tax_behavior ?? price.tax_behavior,
      unit_amount: option.unit_amount,
      unit_amount_decimal: decimalString(option.unit_amount),
    };
  }
  return out;
}

export function getPrice(sim: Sim, id: string, param = 'price'): Stripe.Price {
  const price = sim.state.prices[id];
  if (!price) throw resourceMissing('price', id, param);
  return price;
}

export function priceRoutes(router: Router, sim: Sim): void {
  router.post('/v1/prices', ({ params }) => {
    const p = parseParams(createSchema, params);
    if (p.unit_amount === undefined)
      throw invalidRequest('Missing required param: unit_amount.', 'unit_amount', 'parameter_missing');
    const productId = p.product ?? (p.product_data ? createProduct(sim, p.product_data).id : undefined);
    if (!productId) throw invalidRequest('Missing required param: product.', 'product', 'parameter_missing');
    if (!sim.state.products[productId]) throw resourceMissing('product', productId, 'product');
    if (p.recurring?.usage_type === 'metered' && !p.recurring.meter)
      throw invalidRequest('Metered prices must reference a meter.', 'recurring[meter]');
    if (p.recurring?.meter && !sim.state.meters[p.recurring.meter])
      throw resourceMissing('billing meter', p.recurring.meter, 'recurring[meter]');
    if (p.lookup_key) claimLookupKey(sim, p.lookup_key, p.transfer_lookup_key);
    const now = sim.realNow();
    const price: Stripe.Price = {
      id: sim.id('price'),
      object: 'price',
      active: p.active ?? true,
      billing_scheme: 'per_unit',
      created: now,
      currency: p.currency.toLowerCase(),
      custom_unit_amount: null,
      livemode: false,
      lookup_key: p.lookup_key ?? null,
      metadata: applyMetadata({}, p.metadata),
      nickname: p.nickname ?? null,
      product: productId,
      recurring: p.recurring
        ? {
            interval: p.recurring.interval,
            interval_count: p.recurring.interval_count ?? 1,
            meter: p.recurring.meter ?? null,
            trial_period_days: p.recurring.trial_period_days ?? null,
            usage_type: p.recurring.usage_type ?? 'licensed',
          }
        : null,
      tax_behavior: p.tax_behavior ?? 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: p.recurring ? 'recurring' : 'one_time',
      unit_amount: p.unit_amount,
      unit_amount_decimal: decimalString(p.unit_amount),
    };
    sim.state.prices[price.id] = price;
    const options = currencyOptionsOf(price, p.currency_options);
    if (options) sim.state.priceCurrencyOptions[price.id] = options;
    sim.emit('price.created', price, now);
    sim.store.changed();
    return price;
  });

  router.get('/v1/prices/:id', ({ pathParams }) => getPrice(sim, pathParams.id ?? '', 'id'));

  router.post('/v1/prices/:id', ({ pathParams, params }) => {
    const price = getPrice(sim, pathParams.id ?? '', 'id');
    const p = parseParams(updateSchema, params);
    const before = structuredClone(price);
    if (p.lookup_key !== undefined && p.lookup_key !== price.lookup_key) {
      if (p.lookup_key) claimLookupKey(sim, p.lookup_key, p.transfer_lookup_key);
      price.lookup_key = p.lookup_key || null;
    }
    if (p.active !== undefined) price.active = p.active;
    if (p.nickname !== undefined) price.nickname = p.nickname || null;
    price.metadata = applyMetadata(price.metadata, p.metadata);
    sim.emit('price.updated', price, sim.realNow(), previousAttributes(before, price));
    sim.store.changed();
    return price;
  });

  router.get('/v1/prices', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.prices).filter(
      (price) =>
        (p.active === undefined || price.active === p.active) &&
        (p.product === undefined || price.product === p.product) &&
        (p.type === undefined || price.type === p.type) &&
        (p.currency === undefined || price.currency === p.currency) &&
        (!p.lookup_keys || (price.lookup_key !== null && p.lookup_keys.includes(price.lookup_key))) &&
        (p.recurring?.interval === undefined || price.recurring?.interval === p.recurring.interval) &&
        (p.recurring?.usage_type === undefined || price.recurring?.usage_type === p.recurring.usage_type),
    );
    return paginate(items, '/v1/prices', p);
  });
}
