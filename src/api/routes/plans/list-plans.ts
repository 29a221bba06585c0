import { z } from '@hono/zod-openapi';
import { defineEndpoint } from '../../endpoint';
import { LIMIT_METRICS, PLANS, PLAN_IDS } from '../../../domain/plans';

const PlanSchema = z
  .object({
    id: z.enum(PLAN_IDS),
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
      content: { 'application/json': { schema: z.object({ data: z.array(PlanSchema) }) } },
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
    overage: Object.fromEntries(
      Object.entries(p.overage).map(([m, o]) => [m, { unitAmount: o.unitAmount, blockSize: o.blockSize }]),
    ),
  };
});
