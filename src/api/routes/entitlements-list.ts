import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { PLAN_IDS } from '../../domain/plans';
import { USAGE_METRICS } from '../../domain/usage';
import { readEntitlements } from '../../usage/entitlements';
import { organizationIdSchema } from '../../usage/event-schema';
import type { AppEnv } from '../context';
import { errorResponses } from '../schemas';
import { USER_OR_SERVICE, resolveEntitlementsCaller } from './entitlements-caller';

const Entitlements = z
  .object({
    organizationId: z.string(),
    plan: z.enum(PLAN_IDS).openapi({ description: 'The plan whose entitlements apply now (past_due keeps the paid plan; ended → free)' }),
    period: z.object({ start: z.string(), end: z.string() }),
    features: z.record(z.string(), z.union([z.boolean(), z.string()])),
    metrics: z.array(z.object({
      metric: z.enum(USAGE_METRICS),
      kind: z.enum(['counter', 'gauge']),
      limit: z.number().int().nullable().openapi({ description: 'null = unlimited' }),
      used: z.number(),
      remaining: z.number().nullable(),
      overage: z.object({ unitAmount: z.number().int(), blockSize: z.number().int(), currency: z.string() }).nullable()
        .openapi({ description: 'Present when use beyond the limit is allowed and billed' }),
    })),
  })
  .openapi('Entitlements');

const route = createRoute({
  method: 'get',
  path: '/entitlements',
  tags: ['entitlements'],
  summary: 'Plan features and limits with current usage and what remains in this period',
  description: 'A user token reads its own organization; a service token names one with `organizationId`.',
  security: USER_OR_SERVICE,
  request: { query: z.object({ organizationId: organizationIdSchema.optional() }) },
  responses: {
    200: { description: 'The entitlements', content: { 'application/json': { schema: Entitlements } } },
    ...errorResponses(401, 403, 422, 429),
  },
});

export const listEntitlementsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const caller = await resolveEntitlementsCaller(c.get('deps'), c.req.header('authorization'), c.req.valid('query').organizationId);
  return c.json(await readEntitlements(c.get('deps').db, caller.organizationId, Date.now()), 200);
});
