import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PaymentMethodIdInput, SubscriptionEnvelope } from '../subscription/schemas';
import { callWorkflow, ownSubscription, subscriptionState } from '../subscription/workflow-call';
import { paymentMethodUpdateExample } from '../../examples';

const Body = z.object({ paymentMethodId: PaymentMethodIdInput }).strict();

export const updatePaymentMethod = defineEndpoint({
  method: 'post',
  path: '/payment-method',
  tags: ['payment methods'],
  summary: 'Attach a card and make it the default; during dunning the open invoice is retried at once',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(Body),
  responses: {
    200: {
      description: 'The resulting state and, when a payment was failing, the immediate retry’s outcome',
      content: {
        'application/json': {
          schema: SubscriptionEnvelope.extend({ retry: z.enum(['paid', 'declined', 'action_required']).nullable() }),
          example: paymentMethodUpdateExample,
        },
      },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const result = await callWorkflow(() =>
      subscriptions.updatePaymentMethod(organizationId, { paymentMethodId: r.body.paymentMethodId }, r.updateId),
    );
    return { retry: result.retry, ...(await subscriptionState(r)) };
  },
});
