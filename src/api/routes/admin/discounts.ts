import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type Stripe from 'stripe';
import {
  COUPON_DURATIONS,
  COUPON_ID,
  DISCOUNT_CURRENCIES,
  PAID_PLAN_IDS,
  PROMOTION_CODE,
  couponInputError,
  type CouponInput,
} from '../../../domain/discounts';
import { createStripeClient } from '../../../stripe/client';
import { couponView, createCoupon, createPromotionCode, promotionCodeView } from '../../../stripe/discounts';
import { classifyStripeError } from '../../../stripe/errors';
import { ApiError, requestValidationFailed } from '../../errors';
import { defineEndpoint, jsonBody, type EndpointRequest } from '../../endpoint';
import { couponExample, promotionCodeExample } from '../../examples';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';

const MAX_REDEMPTIONS = 1_000_000;
const YEAR_MS = 366 * 86_400_000;
const isoDate = z.string().datetime({ offset: true }).openapi({ example: '2027-03-31T23:59:59Z' });

const CouponBody = z
  .object({
    id: z.string().regex(COUPON_ID, 'letters, digits, _ and - (1-64)').optional(),
    name: z.string().trim().min(1).max(40).openapi({ description: 'Shown on invoices (Stripe allows 40 characters)' }),
    percentOff: z
      .number()
      .gt(0)
      .max(100)
      .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-9, 'at most two decimals')
      .optional(),
    amountOff: z
      .number()
      .int()
      .positive()
      .max(100_000_00)
      .optional()
      .openapi({ description: 'Minor units of currency (cents)' }),
    currency: z.enum(DISCOUNT_CURRENCIES).optional(),
    duration: z.enum(COUPON_DURATIONS),
    durationInMonths: z.number().int().min(1).max(36).optional(),
    plans: z
      .array(z.enum(PAID_PLAN_IDS as [string, ...string[]]))
      .min(1)
      .max(PAID_PLAN_IDS.length)
      .optional()
      .openapi({ description: 'Only these plans (their Stripe products); every plan when absent' }),
    redeemBy: isoDate.optional(),
    maxRedemptions: z.number().int().min(1).max(MAX_REDEMPTIONS).optional(),
  })
  .strict()
  .openapi('CouponInput', {
    example: { id: 'SPRING26', name: '25 % for 3 months', percentOff: 25, duration: 'repeating', durationInMonths: 3 },
  });

const CouponSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    percentOff: z.number().nullable(),
    amountOff: z.number().int().nullable(),
    currency: z.string().nullable(),
    duration: z.string(),
    durationInMonths: z.number().int().nullable(),
    products: z.array(z.string()).openapi({ description: 'Stripe products it is limited to (empty: all)' }),
    redeemBy: z.string().datetime().nullable(),
    maxRedemptions: z.number().int().nullable(),
    timesRedeemed: z.number().int(),
    valid: z.boolean(),
  })
  .openapi('Coupon');

const PromotionCodeBody = z
  .object({
    code: z.string().regex(PROMOTION_CODE, 'letters and digits (3-40)'),
    couponId: z.string().regex(COUPON_ID),
    expiresAt: isoDate.optional(),
    maxRedemptions: z.number().int().min(1).max(MAX_REDEMPTIONS).optional(),
  })
  .strict()
  .openapi('PromotionCodeInput', { example: { code: 'SPRING26', couponId: 'SPRING26', maxRedemptions: 100 } });

const PromotionCodeSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    couponId: z.string(),
    active: z.boolean(),
    expiresAt: z.string().datetime().nullable(),
    maxRedemptions: z.number().int().nullable(),
    timesRedeemed: z.number().int(),
  })
  .openapi('PromotionCode');

/** The operator's Idempotency-Key (validated), or one of our own: a retried create returns the same object. */
function operatorKey(r: EndpointRequest, kind: string, fallback: string): string {
  const parsed = IdempotencyHeaders.safeParse({ 'idempotency-key': r.header('idempotency-key') });
  if (!parsed.success)
    throw requestValidationFailed(
      parsed.error.issues.map((i) => ({ path: ['headers', ...i.path], message: i.message })),
    );
  return `admin-${kind}:${parsed.data['idempotency-key'] ?? fallback}`;
}

/** Stripe refused: the operator sees Stripe's own message (these routes are not customer facing). */
async function stripeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const c = classifyStripeError(err);
    if (c.code === 'INVALID_REQUEST')
      throw new ApiError(
        'INVALID_REQUEST',
        err instanceof Error && err.message ? `Stripe refused: ${err.message}` : c.message,
        { stripeCode: c.stripeCode },
      );
    throw new ApiError(c.code === 'RATE_LIMIT' ? 'RATE_LIMIT' : 'API_ERROR', c.message, { stripeCode: c.stripeCode });
  }
}

const stripeOf = (r: EndpointRequest): Stripe => createStripeClient(r.deps.config.stripe);

export const createCouponEndpoint = defineEndpoint({
  method: 'post',
  path: '/admin/coupons',
  tags: ['admin'],
  summary: 'Creates a coupon in Stripe (operators only): percent or amount off, once, repeating N months or forever',
  description:
    'Exactly one of percentOff or amountOff (with currency); durationInMonths for a repeating coupon only; plans limits it to those plans, redeemBy ends redemptions, maxRedemptions caps them. Customers redeem coupons through promotion codes (POST /admin/promotion-codes).',
  auth: 'admin',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(CouponBody),
  responses: {
    201: {
      description: 'The coupon as Stripe holds it',
      content: { 'application/json': { schema: z.object({ coupon: CouponSchema }), example: couponExample } },
    },
    ...errorResponses(400, 401, 413, 422, 429, 502),
  },
  status: 201,
  async handle(r) {
    const body = r.body;
    const now = Date.now();
    const input: CouponInput = {
      ...body,
      currency: body.currency,
      plans: body.plans as CouponInput['plans'],
      redeemBy: body.redeemBy === undefined ? undefined : Date.parse(body.redeemBy),
    };
    const problem = couponInputError(input, now);
    if (problem) throw requestValidationFailed([{ path: ['body'], message: problem }]);
    if (input.redeemBy !== undefined && input.redeemBy > now + 5 * YEAR_MS)
      throw requestValidationFailed([{ path: ['body', 'redeemBy'], message: 'at most five years ahead' }]);
    const key = operatorKey(r, 'coupon', body.id ?? randomUUID());
    const coupon = await stripeCall(() => createCoupon(stripeOf(r), input, key));
    return { coupon: couponView(coupon) };
  },
});

export const createPromotionCodeEndpoint = defineEndpoint({
  method: 'post',
  path: '/admin/promotion-codes',
  tags: ['admin'],
  summary: 'Creates a promotion code customers type to redeem a coupon (operators only)',
  description:
    'The code is unique among active codes regardless of case (409 when an active code has it); expiresAt ends it, maxRedemptions caps it. Customers give it as promotionCode at subscribe or to POST /subscription/discount.',
  auth: 'admin',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(PromotionCodeBody),
  responses: {
    201: {
      description: 'The promotion code as Stripe holds it',
      content: {
        'application/json': {
          schema: z.object({ promotionCode: PromotionCodeSchema }),
          example: promotionCodeExample,
        },
      },
    },
    ...errorResponses(400, 401, 404, 409, 413, 422, 429, 502),
  },
  status: 201,
  async handle(r) {
    const body = r.body;
    const now = Date.now();
    const expiresAt = body.expiresAt === undefined ? undefined : Date.parse(body.expiresAt);
    if (expiresAt !== undefined && (expiresAt <= now || expiresAt > now + 5 * YEAR_MS))
      throw requestValidationFailed([
        { path: ['body', 'expiresAt'], message: 'in the future, at most five years ahead' },
      ]);
    const key = operatorKey(r, 'promotion-code', `${body.code.toLowerCase()}:${body.couponId}`);
    try {
      const created = await createPromotionCode(
        stripeOf(r),
        { code: body.code, couponId: body.couponId, expiresAt, maxRedemptions: body.maxRedemptions },
        key,
      );
      return { promotionCode: promotionCodeView(created) };
    } catch (err) {
      const c = classifyStripeError(err);
      if (c.stripeCode === 'resource_missing')
        throw new ApiError('NOT_FOUND', `There is no coupon ${body.couponId}`, { couponId: body.couponId });
      if (c.stripeCode === 'resource_already_exists')
        throw new ApiError('CONFLICT', `An active promotion code ${body.code} already exists`, { code: body.code });
      return stripeCall(() => Promise.reject(err));
    }
  },
});
