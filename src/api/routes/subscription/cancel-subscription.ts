import { z } from '@hono/zod-openapi';
import { cancelUpdate } from '../../../workflows/messages';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscriptionHandle, subscriptionState } from './workflow-call';

const Query = z
  .object({
    immediate: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .openapi({ description: 'true = end now and fall back to free; false (default) = at period end, reversible until then' }),
  })
  .strict();

export const cancelSubscription = defineEndpoint({
  method: 'delete',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Cancel: at period end (default, reversible with resume) or immediately',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders, query: Query,
  responses: {
    200: { description: 'The resulting state', content: { 'application/json': { schema: SubscriptionEnvelope } } },
    ...errorResponses(401, 403, 409, 422, 429, 502, 503),
  },
  async handle(r) {
    await callWorkflow(() => ownSubscriptionHandle(r).executeUpdate(cancelUpdate, { args: [{ atPeriodEnd: !r.query.immediate }], updateId: r.idempotencyKey }));
    return subscriptionState(r);
  },
});

