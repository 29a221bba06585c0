import { z } from '@hono/zod-openapi';
import { defineEndpoint } from '../../endpoint';
import { PlanIdSchema } from '../../schemas';
import { LIMIT_METRICS, PLANS, PLAN_IDS } from '../../../domain/plans';
import {
  ADD_ONS,
  ADD_ON_IDS,
  BILLING_INTERVALS,
  addOnPrice,
  includedSeats,
  planPrice,
  seatPrice,
} from '../../../domain/pricing';
import { plansExample } from '../../examples';
import { CURRENCIES, amountIn, type Currency } from '../../../domain/currency';

const Amounts = z
  .object({ month: z.number().int(), year: z.number().int() })
  .openapi({ description: 'Minor units per month and per year' });

const PlanSchema = z
  .object({
    id: PlanIdSchema,
    name: z.string(),
    price: z.object({
      unitAmount: z
        .number()
        .int()
        .nullable()
        .openapi({ description: 'Minor units per interval; null = custom (contact sales)' }),
      currency: z.string(),
      interval: z.literal('month'),
    }),
    trialDays: z.number().int(),
    selfServe: z.boolean(),
    limits: z.record(z.enum(LIMIT_METRICS), z.number().int().openapi({ description: '-1 = unlimited' })),
    features: z.record(z.string(), z.union([z.boolean(), z.string()])),
    prices: Amounts.nullable().openapi({ description: 'Both intervals in USD; null = custom (contact sales)' }),
    pricesByCurrency: z.object({ usd: Amounts.nullable(), eur: Amounts.nullable() }).openapi({
      description:
        'The plan price in each currency sold (usd, eur). A customer is billed in one currency, chosen at its first ' +
        'subscribe; seats, add-ons and overage in EUR carry the same number as in USD.',
    }),
    seats: z
      .object({ included: z.number().int(), perSeat: Amounts.nullable() })
      .openapi({ description: 'Seats included (-1 = unlimited) and the price of each extra one (null = none sold)' }),
    addOns: z.array(
      z.object({
        id: z.enum(ADD_ON_IDS),
        name: z.string(),
        metric: z.enum(LIMIT_METRICS),
        units: z.number().int().openapi({ description: 'Added to the metric’s limit per pack' }),
        prices: Amounts,
      }),
    ),
    overage: z.record(
      z.string(),
      z
        .object({ unitAmount: z.number().int(), blockSize: z.number().int() })
        .openapi({ description: 'unitAmount minor units per blockSize units above the limit' }),
    ),
  })
  .openapi('Plan');

export const listPlans = defineEndpoint({
  method: 'get',
  path: '/plans',
  auth: 'public',
  tags: ['plans'],
  summary: 'The plan catalog: prices, limits and features',
  description: 'Public: a pricing page can call it without a token.',
  responses: {
    200: {
      description: 'Every plan, cheapest first',
      content: { 'application/json': { schema: z.object({ data: z.array(PlanSchema) }), example: plansExample } },
    },
  },
  handle(r) {
    r.setHeader('Cache-Control', 'public, max-age=300');
    return { data: catalog };
  },
});

const catalog = PLAN_IDS.map((id) => {
  const p = PLANS[id];
  return {
    id: p.id,
    name: p.name,
    price: { unitAmount: p.price.unitAmount, currency: p.price.currency, interval: p.price.interval },
    trialDays: p.trialDays,
    selfServe: p.selfServe,
    limits: p.limits,
    features: p.features,
    prices: amounts((interval) => planPrice(id, interval)?.unitAmount),
    pricesByCurrency: Object.fromEntries(
      CURRENCIES.map((c) => [
        c,
        amounts((interval) => {
          const price = planPrice(id, interval);
          return price ? amountIn(price.unitAmount, c) : undefined;
        }),
      ]),
    ) as Record<Currency, { month: number; year: number } | null>,
    seats: { included: includedSeats(id), perSeat: amounts((interval) => seatPrice(id, interval)?.unitAmount) },
    addOns: ADD_ON_IDS.filter((a) => addOnPrice(a, id, 'month') !== null).map((a) => ({
      id: a,
      name: ADD_ONS[a].name,
      metric: ADD_ONS[a].metric,
      units: ADD_ONS[a].units,
      prices: amounts((interval) => addOnPrice(a, id, interval)?.unitAmount) ?? { month: 0, year: 0 },
    })),
    overage: Object.fromEntries(
      Object.entries(p.overage).map(([m, o]) => [m, { unitAmount: o.unitAmount, blockSize: o.blockSize }]),
    ),
  };
});

/** Both intervals' amounts, or null when the plan has no such price. */
function amounts(of: (interval: 'month' | 'year') => number | undefined): { month: number; year: number } | null {
  const [month, year] = BILLING_INTERVALS.map(of);
  return month === undefined || year === undefined ? null : { month, year };
}
