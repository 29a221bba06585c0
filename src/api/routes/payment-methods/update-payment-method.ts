import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PaymentMethodIdInput, SubscriptionEnvelope } from '../subscription/schemas';
import { callWorkflow, ownSubscription, subscriptionState } from '../subscription/workflow-call';

const Body = z.object({ paymentMethodId: PaymentMethodIdInput }).strict();

const route = createRoute({
  method: 'post',
  path: '/payment-method',
  tags: ['payment methods'],
  summary: 'Attach a card and make it the default; during dunning the open invoice is retried at once',
  security: [{ userToken: [] }],
  middleware: [...userWrite],
  request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: {
    200: {
      description: 'The resulting state and, when a payment was failing, the immediate retry’s outcome',
      content: { 'application/json': { schema: SubscriptionEnvelope.extend({ retry: z.enum(['paid', 'declined']).nullable() }) } },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
});

export const updatePaymentMethod = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { paymentMethodId } = c.req.valid('json');
  const { subscriptions, organizationId } = ownSubscription(c);
  const result = await callWorkflow(() => subscriptions.updatePaymentMethod(organizationId, { paymentMethodId }, c.get('idempotencyKey')));
  return c.json({ retry: result.retry, ...(await subscriptionState(c)) }, 200);
});
