import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';
import { canceledAtPeriodEndExample } from '../../examples';

const Query = z
  .object({
    immediate: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .openapi({
        description:
          'true = end now and fall back to free (with CANCEL_REFUND=prorated, the unused time of the paid period is refunded to the card through a credit note); false (default) = at period end, reversible until then',
      }),
  })
  .strict();

export const cancelSubscription = defineEndpoint({
  method: 'delete',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Cancel: at period end (default, reversible with resume) or immediately',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  query: Query,
  responses: {
    200: {
      description: 'The resulting state',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: canceledAtPeriodEndExample } },
    },
    ...errorResponses(401, 403, 409, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const refund = r.query.immediate ? r.deps.config.cancelRefund : 'none';
    await callWorkflow(() =>
      subscriptions.cancel(
        organizationId,
        { atPeriodEnd: !r.query.immediate, ...(refund !== 'none' && { refund }) },
        r.updateId,
      ),
    );
    return subscriptionState(r);
  },
});
