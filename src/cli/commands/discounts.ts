import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  COUPON_DURATIONS,
  COUPON_ID,
  DISCOUNT_CURRENCIES,
  PAID_PLAN_IDS,
  PROMOTION_CODE,
  couponInputError,
  type CouponInput,
} from '../../domain/discounts';
import { createStripeClient } from '../../stripe/client';
import { couponView, createCoupon, createPromotionCode, promotionCodeView } from '../../stripe/discounts';
import { parseOptions } from '../args';
import { UsageError, type CliCommand } from '../command';

const isoDate = z.iso.datetime({ offset: true });
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

export const couponCreateCommand: CliCommand = {
  name: 'coupon-create',
  summary: 'Creates a coupon in Stripe: percent or amount off; once, repeating N months or forever; optional plans',
  usage:
    'coupon-create --name <text> (--percent-off <n> | --amount-off <cents> --currency usd|eur) --duration once|repeating|forever [--months <n>] [--id <id>] [--plans starter,professional] [--redeem-by <ISO date>] [--max-redemptions <n>]',
  example:
    'npm run billing -- coupon-create --id SPRING25 --name "Spring: 25 % for 3 months" --percent-off 25 --duration repeating --months 3 --plans starter,professional --max-redemptions 100',
  async run(argv, { config, out }) {
    const o = parseOptions(
      argv,
      z.object({
        id: z.string().regex(COUPON_ID, 'letters, digits, _ and - (1-64)').optional(),
        name: z.string().trim().min(1).max(40),
        'percent-off': z.coerce.number().gt(0).max(100).optional(),
        'amount-off': positiveInt(100_000_00).optional(),
        currency: z.enum(DISCOUNT_CURRENCIES).optional(),
        duration: z.enum(COUPON_DURATIONS),
        months: positiveInt(36).optional(),
        plans: z
          .string()
          .transform((s) => s.split(',').map((p) => p.trim()))
          .pipe(z.array(z.enum(PAID_PLAN_IDS as [string, ...string[]])).min(1))
          .optional(),
        'redeem-by': isoDate.optional(),
        'max-redemptions': positiveInt(1_000_000).optional(),
      }),
    );
    const input: CouponInput = {
      id: o.id,
      name: o.name,
      percentOff: o['percent-off'],
      amountOff: o['amount-off'],
      currency: o.currency,
      duration: o.duration,
      durationInMonths: o.months,
      plans: o.plans as CouponInput['plans'],
      redeemBy: o['redeem-by'] === undefined ? undefined : Date.parse(o['redeem-by']),
      maxRedemptions: o['max-redemptions'],
    };
    const problem = couponInputError(input, Date.now());
    const flags: Record<string, string> = {
      percentOff: '--percent-off',
      amountOff: '--amount-off',
      durationInMonths: '--months',
      redeemBy: '--redeem-by',
      currency: '--currency',
      plans: '--plans',
    };
    if (problem) throw new UsageError(problem.replace(/\b[a-z][A-Za-z]+\b/g, (w) => flags[w] ?? w));
    const coupon = couponView(
      await createCoupon(createStripeClient(config.stripe), input, `cli-coupon:${o.id ?? randomUUID()}`),
    );
    const off = coupon.percentOff !== null ? `${coupon.percentOff} %` : `${coupon.amountOff} ${coupon.currency}`;
    const months = coupon.durationInMonths ? ` ${coupon.durationInMonths} months` : '';
    out(
      `coupon ${coupon.id}: ${off} off, ${coupon.duration}${months}${coupon.products.length ? ` (${coupon.products.join(', ')})` : ''}`,
    );
  },
};

export const promotionCodeCreateCommand: CliCommand = {
  name: 'promotion-code-create',
  summary: 'Creates a promotion code customers type to redeem a coupon',
  usage:
    'promotion-code-create --code <LETTERSDIGITS> --coupon <couponId> [--expires-at <ISO date>] [--max-redemptions <n>]',
  example:
    'npm run billing -- promotion-code-create --code SPRING25 --coupon SPRING25 --expires-at 2027-04-01T00:00:00Z --max-redemptions 50',
  async run(argv, { config, out }) {
    const o = parseOptions(
      argv,
      z.object({
        code: z.string().regex(PROMOTION_CODE, 'letters and digits (3-40)'),
        coupon: z.string().regex(COUPON_ID, 'a coupon id'),
        'expires-at': isoDate.refine((d) => Date.parse(d) > Date.now(), 'must be in the future').optional(),
        'max-redemptions': positiveInt(1_000_000).optional(),
      }),
    );
    const created = promotionCodeView(
      await createPromotionCode(
        createStripeClient(config.stripe),
        {
          code: o.code,
          couponId: o.coupon,
          expiresAt: o['expires-at'] === undefined ? undefined : Date.parse(o['expires-at']),
          maxRedemptions: o['max-redemptions'],
        },
        `cli-promotion-code:${o.code.toLowerCase()}:${o.coupon}`,
      ),
    );
    out(`promotion code ${created.code} (${created.id}) for coupon ${created.couponId}: active ${created.active}`);
  },
};
