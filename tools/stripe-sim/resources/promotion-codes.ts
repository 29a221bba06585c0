import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest, resourceMissing } from '../http/errors';
import { inRange, paginate } from '../http/list';
import {
  applyMetadata,
  formBool,
  formExpand,
  formInt,
  formMetadata,
  listParams,
  parseParams,
  rangeFilter,
} from '../http/params';
import type { Router } from '../http/router';
import { previousAttributes, type Sim } from '../sim';
import { newestFirst } from '../store';
import { refreshCoupon } from '../billing/discounts';

/**
 * Promotion codes (https://docs.stripe.com/api/promotion_codes) in the shape of the pinned API version: the coupon
 * sits under `promotion: { type: 'coupon', coupon }`. Create, retrieve, update (`active`, `metadata`), list (by
 * `code`, case-insensitively, `active`, `coupon`, `customer`). A code is unique, regardless of case, among active
 * codes; valid characters are letters and digits. `active` reads false when the operator switched it off or its
 * coupon is no longer valid ("A promotion code is only active if the coupon is also valid"). `restrictions` other
 * than the defaults are not simulated (refused as unknown parameters).
 */
const CODE = /^[A-Za-z0-9]{1,500}$/;
const createSchema = z.strictObject({
  promotion: z.strictObject({ type: z.literal('coupon'), coupon: z.string() }),
  code: z.string().regex(CODE, 'letters and digits only').optional(),
  active: formBool.optional(),
  customer: z.string().optional(),
  expires_at: formInt.optional(),
  max_redemptions: formInt.pipe(z.number().int().positive()).optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const updateSchema = z.strictObject({
  active: formBool.optional(),
  metadata: formMetadata.optional(),
  expand: formExpand.optional(),
});
const listSchema = z.strictObject({
  ...listParams,
  active: formBool.optional(),
  code: z.string().optional(),
  coupon: z.string().optional(),
  customer: z.string().optional(),
  created: rangeFilter.optional(),
});
const expandOnly = z.strictObject({ expand: formExpand.optional() });

export function promotionCodeRoutes(router: Router, sim: Sim): void {
  // The stored `active` is the operator's switch; responses show it together with the coupon's validity.
  const view = (code: Stripe.PromotionCode): Stripe.PromotionCode => {
    const couponId = typeof code.promotion.coupon === 'string' ? code.promotion.coupon : '';
    const coupon = sim.state.coupons[couponId];
    const valid = coupon ? refreshCoupon(coupon, sim.realNow()).valid : false;
    return { ...structuredClone(code), active: code.active && valid };
  };
  const get = (id: string): Stripe.PromotionCode => {
    const code = sim.state.promotionCodes[id];
    if (!code) throw resourceMissing('promotion_code', id);
    return code;
  };

  router.post('/v1/promotion_codes', ({ params }) => {
    const p = parseParams(createSchema, params);
    const now = sim.realNow();
    const coupon = sim.state.coupons[p.promotion.coupon];
    if (!coupon) throw resourceMissing('coupon', p.promotion.coupon, 'promotion[coupon]');
    if (p.customer !== undefined && !sim.state.customers[p.customer])
      throw resourceMissing('customer', p.customer, 'customer');
    if (p.expires_at !== undefined && p.expires_at <= now)
      throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', 'expires_at');
    if (p.expires_at !== undefined && coupon.redeem_by !== null && p.expires_at > coupon.redeem_by)
      throw invalidRequest("The promotion code's expires_at cannot be after the coupon's redeem_by.", 'expires_at');
    const code = p.code ?? sim.id('', 8).slice(1).toUpperCase();
    const active = p.active ?? true;
    if (active && Object.values(sim.state.promotionCodes).some((c) => c.active && sameCode(c.code, code)))
      throw invalidRequest(
        `An active promotion code with \`code: ${code}\` already exists.`,
        'code',
        'resource_already_exists',
      );
    const promotionCode: Stripe.PromotionCode = {
      id: sim.id('promo'),
      object: 'promotion_code',
      active,
      code,
      created: now,
      customer: p.customer ?? null,
      customer_account: null,
      expires_at: p.expires_at ?? null,
      livemode: false,
      max_redemptions: p.max_redemptions ?? null,
      metadata: applyMetadata({}, p.metadata),
      promotion: { type: 'coupon', coupon: coupon.id },
      restrictions: { first_time_transaction: false, minimum_amount: null, minimum_amount_currency: null },
      times_redeemed: 0,
    };
    sim.state.promotionCodes[promotionCode.id] = promotionCode;
    sim.emit('promotion_code.created', view(promotionCode), now);
    sim.store.changed();
    return view(promotionCode);
  });

  router.get('/v1/promotion_codes/:id', ({ pathParams, params }) => {
    parseParams(expandOnly, params);
    return view(get(pathParams.id ?? ''));
  });

  router.post('/v1/promotion_codes/:id', ({ pathParams, params }) => {
    const code = get(pathParams.id ?? '');
    const p = parseParams(updateSchema, params);
    const before = view(code);
    if (
      p.active === true &&
      !code.active &&
      Object.values(sim.state.promotionCodes).some((c) => c !== code && c.active && sameCode(c.code, code.code))
    )
      throw invalidRequest(
        `An active promotion code with \`code: ${code.code}\` already exists.`,
        'active',
        'resource_already_exists',
      );
    if (p.active !== undefined) code.active = p.active;
    if (p.metadata !== undefined) code.metadata = applyMetadata(code.metadata ?? {}, p.metadata);
    const after = view(code);
    const prev = previousAttributes(before, after);
    if (Object.keys(prev).length > 0) sim.emit('promotion_code.updated', after, sim.realNow(), prev);
    sim.store.changed();
    return after;
  });

  router.get('/v1/promotion_codes', ({ params }) => {
    const p = parseParams(listSchema, params);
    const items = newestFirst(sim.state.promotionCodes)
      .map(view)
      .filter(
        (c) =>
          (p.code === undefined || sameCode(c.code, p.code)) &&
          (p.active === undefined || c.active === p.active) &&
          (p.coupon === undefined || c.promotion.coupon === p.coupon) &&
          (p.customer === undefined || c.customer === p.customer) &&
          inRange(c.created, p.created),
      );
    return paginate(items, '/v1/promotion_codes', p);
  });
}

function sameCode(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
