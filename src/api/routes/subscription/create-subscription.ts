import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PaymentMethodIdInput, PlanIdInput, SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const Body = z
  .object({
    planId: PlanIdInput,
    paymentMethodId: PaymentMethodIdInput.optional().openapi({ description: 'Collected by Stripe.js; optional while the plan has a trial' }),
  })
  .strict();

const route = createRoute({
  method: 'post',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Subscribe the organization to a plan (with the plan’s trial)',
  description: 'Starts the organization’s subscription workflow if needed. Two concurrent calls yield one subscription; the second gets 409.',
  security: [{ userToken: [] }],
  middleware: [...userWrite],
  request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: {
    201: { description: 'Subscribed', content: { 'application/json': { schema: SubscriptionEnvelope } } },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
});

export const createSubscription = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { planId, paymentMethodId } = c.req.valid('json');
  const { email } = c.get('principal');
  const { subscriptions, organizationId } = ownSubscription(c);
  await callWorkflow(() => subscriptions.subscribe(organizationId, { plan: planId, paymentMethodId, email }, c.get('idempotencyKey')));
  return c.json(await subscriptionState(c), 201);
});
