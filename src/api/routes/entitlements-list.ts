import { z } from '@hono/zod-openapi';
import { PLAN_IDS } from '../../domain/plans';
import { USAGE_METRICS } from '../../domain/usage';
import { readEntitlements } from '../../usage/entitlements';
import { organizationIdSchema } from '../../usage/event-schema';
import { defineEndpoint } from '../endpoint';
import { Timestamp, errorResponses } from '../schemas';
import { resolveEntitlementsCaller } from './entitlements-caller';
import { entitlementsExample } from '../examples';

const Entitlements = z
  .object({
    organizationId: z.string(),
    plan: z
      .enum(PLAN_IDS)
      .openapi({ description: 'The plan whose entitlements apply now (past_due keeps the paid plan; ended → free)' }),
    period: z.object({ start: Timestamp, end: Timestamp }),
    features: z.record(z.string(), z.union([z.boolean(), z.string()])),
    metrics: z.array(
      z.object({
        metric: z.enum(USAGE_METRICS),
        kind: z.enum(['counter', 'gauge']),
        limit: z.number().int().nullable().openapi({ description: 'null = unlimited' }),
        used: z.number(),
        remaining: z.number().nullable(),
        overage: z
          .object({ unitAmount: z.number().int(), blockSize: z.number().int(), currency: z.string() })
          .nullable()
          .openapi({ description: 'Present when use beyond the limit is allowed and billed' }),
      }),
    ),
  })
  .openapi('Entitlements');

export const listEntitlementsEndpoint = defineEndpoint({
  method: 'get',
  path: '/entitlements',
  auth: 'user-or-service',
  tags: ['entitlements'],
  summary: 'Plan features and limits with current usage and what remains in this period',
  description: 'A user token reads its own organization; a service token names one with `organizationId`.',
  query: z.object({ organizationId: organizationIdSchema.optional() }),
  responses: {
    200: {
      description: 'The entitlements',
      content: { 'application/json': { schema: Entitlements, example: entitlementsExample } },
    },
    ...errorResponses(401, 403, 422, 429),
  },
  async handle(r) {
    const caller = await resolveEntitlementsCaller(r.deps, r.header('authorization'), r.query.organizationId);
    return readEntitlements(r.deps.db, caller.organizationId, Date.now());
  },
});
