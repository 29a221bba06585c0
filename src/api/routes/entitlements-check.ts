import { z } from '@hono/zod-openapi';
import { PLAN_IDS } from '../../domain/plans';
import { COUNTER_METRICS, USAGE_METRICS } from '../../domain/usage';
import { consumeEntitlement } from '../../usage/consume';
import { checkEntitlement } from '../../usage/entitlements';
import { organizationIdSchema, usageEventIdSchema } from '../../usage/event-schema';
import { ApiError } from '../errors';
import { defineEndpoint, jsonBody } from '../endpoint';
import { Timestamp, errorResponses } from '../schemas';
import { resolveEntitlementsCaller } from './entitlements-caller';
import { entitlementDecisionExample } from '../examples';

const Body = z
  .object({
    organizationId: organizationIdSchema.optional(),
    metric: z.enum(USAGE_METRICS),
    quantity: z.number().int().min(1).max(1_000_000_000),
    consume: z
      .object({ eventId: usageEventIdSchema })
      .optional()
      .openapi({
        description:
          'Check and record atomically (service tokens, counters only): when allowed, the usage is recorded as the event `eventId`, ' +
          'so a concurrent caller can never pass a hard limit. Ingesting the same id later is a duplicate.',
      }),
  })
  .refine((b) => !b.consume || (COUNTER_METRICS as readonly string[]).includes(b.metric), {
    message: 'consume is for counters (messages, api_calls); gauges are reported as readings',
    path: ['consume'],
  });

const Decision = z
  .object({
    allowed: z.boolean(),
    plan: z.enum(PLAN_IDS),
    limit: z.number().int().nullable().openapi({ description: 'null = unlimited' }),
    used: z.number(),
    remaining: z.number().nullable(),
    periodEnd: Timestamp,
    overage: z
      .object({
        quantity: z.number().int(),
        terms: z.object({ unitAmount: z.number().int(), blockSize: z.number().int(), currency: z.string() }),
      })
      .optional()
      .openapi({ description: 'The part of the request billed as overage' }),
    consumed: z.boolean().optional(),
    duplicate: z.boolean().optional(),
  })
  .openapi('EntitlementDecision');

export const checkEntitlementEndpoint = defineEndpoint({
  method: 'post',
  path: '/entitlements/check',
  auth: 'user-or-service',
  tags: ['entitlements'],
  summary: 'May the organization use `quantity` more of `metric`? Optionally consume it atomically',
  body: jsonBody(Body),
  responses: {
    200: {
      description: 'The decision (a denial is a 200 with allowed: false)',
      content: { 'application/json': { schema: Decision, example: entitlementDecisionExample } },
    },
    ...errorResponses(401, 403, 422, 429),
  },
  async handle(r) {
    const { deps, logger, body } = r;
    const caller = await resolveEntitlementsCaller(deps, r.header('authorization'), body.organizationId);
    const input = { organizationId: caller.organizationId, metric: body.metric, quantity: body.quantity };
    if (!body.consume) return checkEntitlement(deps.db, input, Date.now());
    if (caller.kind !== 'service')
      throw new ApiError('FORBIDDEN', 'Only backend services (service tokens) may consume usage');
    return consumeEntitlement(
      { db: deps.db, notifier: deps.notifier, logger },
      { ...input, eventId: body.consume.eventId },
      Date.now(),
    );
  },
});
