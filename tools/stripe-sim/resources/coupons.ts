import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import { applyMetadata, formExpand, formInt, formMetadata, listParams, parseParams, rangeFilter } from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { refreshCoupon } from '../billing/discounts';

/**
 * Coupons (https://docs.stripe.com/api/coupons): create, retrieve, update (name, metadata), list, delete. A coupon has
 * `percent_off` or `amount_off` with `currency`; `duration` once (the default), repeating (needs
 * `duration_in_months`) or forever; optional `applies_to.products`, `redeem_by`, `max_redemptions`. `valid` turns
 * false once `redeem_by` passes or `max_redemptions` is reached. Deleting a coupon stops new redemptions; the
 * discounts already redeemed from it stay (https://docs.stripe.com/api/coupons/delete).
 */
const percent = z
  .string()
  .regex(/^\d+(\.\d{1,2})?$/, 'Invalid decimal')
  .transform(Number)
  .pipe(z.number().gt(0).max(100));
const createSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
  name: z.string().max(40).optional(),
  percent_off: percent.optional(),
  amount_off: formInt.pipe(z.number().int().positive()).optional(),
  currency: z
    .string()
    .regex(/^[a-zA-Z]{3}$/)
    .transform((c) => c.toLowerCase())
    .optional(),
  duration: z.enum(['once', 'repeating', 'forever']).optional(),
  duration_in_months: formInt.pipe(z.number().int().positive()).optional(),
  applies_to: z.strictObject({ products: z.array(z.string()).optional() }).optional(),
  max_redemptions: formInt.pipe(z.number().int().positive()).optional(),
  redeem_by: formInt.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const updateSchema = z.strictObject({
  name: z.string().max(40).optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({ ...listParams, created: rangeFilter.optional() });
const expandOnly = z.strictObject({ expand: formExpand.optional() });

export function couponRoutes(router: Router, sim: Sim): void {
  const get = (id: string): Stripe.Coupon => {
    const coupon = sim.state.coupons[id];
    if (!coupon) throw resourceMissing('coupon', id);
    return refreshCoupon(coupon, sim.realNow());
  };

  router.post('/v1/coupons', ({ params }) => {
    const p = parseParams(createSchema, params);
    const now = sim.realNow();
    if ((p.percent_off === undefined) === (p.amount_off === undefined))
      throw invalidRequest('You must pass exactly one of percent_off or amount_off.', 'percent_off');
    if (p.amount_off !== undefined && !p.currency)
      throw invalidRequest('You must pass currency when passing amount_off.', 'currency', 'parameter_missing');
    if (p.percent_off !== undefined && p.currency)
      throw invalidRequest('currency can only be passed with amount_off.', 'currency');
    const duration = p.duration ?? 'once';
    if (duration === 'repeating' && p.duration_in_months === undefined)
      throw invalidRequest(
        'You must pass duration_in_months when duration is repeating.',
        'duration_in_months',
        'parameter_missing',
      );
    if (duration !== 'repeating' && p.duration_in_months !== undefined)
      throw invalidRequest('duration_in_months can only be passed when duration is repeating.', 'duration_in_months');
    if (p.redeem_by !== undefined && p.redeem_by <= now)
      throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', 'redeem_by');
    for (const [i, product] of (p.applies_to?.products ?? []).entries())
      if (!sim.state.products[product]) throw resourceMissing('product', product, `applies_to[products][${i}]`);
    const id = p.id ?? sim.id('', 8).replace(/^_/, '');
    if (sim.state.coupons[id]) throw invalidRequest('Coupon already exists.', 'id', 'resource_already_exists');
    const coupon: Stripe.Coupon = {
      id,
      object: 'coupon',
      amount_off: p.amount_off ?? null,
      ...(p.applies_to?.products?.length ? { applies_to: { products: p.applies_to.products } } : {}),
      created: now,
      currency: p.currency ?? null,
      duration,
      duration_in_months: p.duration_in_months ?? null,
      livemode: false,
      max_redemptions: p.max_redemptions ?? null,
      metadata: applyMetadata({}, p.metadata),
      name: p.name ?? null,
      percent_off: p.percent_off ?? null,
      redeem_by: p.redeem_by ?? null,
      times_redeemed: 0,
      valid: true,
    };
    sim.state.coupons[id] = coupon;
    sim.emit('coupon.created', coupon, now);
    sim.store.changed();
    return coupon;
  });

  router.get('/v1/coupons/:id', ({ pathParams, params }) => {
    parseParams(expandOnly, params);
    return get(pathParams.id ?? '');
  });

  router.post('/v1/coupons/:id', ({ pathParams, params }) => {
    const coupon = get(pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    const before = structuredClone(coupon);
    if (p.name !== undefined) coupon.name = p.name || null;
    if (p.metadata !== undefined) coupon.metadata = applyMetadata(coupon.metadata ?? {}, p.metadata);
    const prev = previousAttributes(before, coupon);
    if (Object.keys(prev).length > 0) sim.emit('coupon.updated', coupon, sim.realNow(), prev);
    sim.store.changed();
    return coupon;
  });

  router.get('/v1/coupons', ({ params }) => {
    const p = parseParams(listSchema, params);
    const now = sim.realNow();
    const items = newestFirst(sim.state.coupons)
      .filter((c) => inRange(c.created, p.created))
      .map((c) => refreshCoupon(c, now));
    return paginate(items, '/v1/coupons', p);
  });

  router.delete('/v1/coupons/:id', ({ pathParams }) => {
    const coupon = get(pathParams.id ?? '');
    delete sim.state.coupons[coupon.id];
    // Discounts redeemed from it keep pointing at it (invoices still name it): kept aside, not listable.
    sim.state.deletedCoupons[coupon.id] = coupon;
    sim.emit('coupon.deleted', coupon, sim.realNow());
    sim.store.changed();
    return { id: coupon.id, object: 'coupon', deleted: true };
  });
}
