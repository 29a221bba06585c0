import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const Query = z
  .object({
    immediate: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .openapi({ description: 'true = end now and fall back to free; false (default) = at period end, reversible until then' }),
  })
  .strict();

const route = createRoute({
  method: 'delete',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Cancel: at period end (default, reversible with resume) or immediately',
  security: [{ userToken: [] }],
  middleware: [...userWrite],
  request: { headers: IdempotencyHeaders, query: Query },
  responses: {
    200: { description: 'The resulting state', content: { 'application/json': { schema: SubscriptionEnvelope } } },
    ...errorResponses(401, 403, 409, 422, 429, 502, 503),
  },
});

export const cancelSubscription = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { immediate } = c.req.valid('query');
  const { subscriptions, organizationId } = ownSubscription(c);
  await callWorkflow(() => subscriptions.cancel(organizationId, { atPeriodEnd: !immediate }, c.get('idempotencyKey')));
  return c.json(await subscriptionState(c), 200);
});
