import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PlanIdInput, SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const Body = z.object({ planId: PlanIdInput }).strict();

const route = createRoute({
  method: 'patch',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Change plan: upgrades apply now with a prorated charge, downgrades at period end',
  description: 'An upgrade is applied only if its prorated invoice is paid (402 otherwise, nothing changed). Choosing free cancels at period end.',
  security: [{ userToken: [] }],
  middleware: [...userWrite],
  request: { headers: IdempotencyHeaders, body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: {
    200: {
      description: 'What happened, and the resulting state',
      content: { 'application/json': { schema: SubscriptionEnvelope.extend({ change: z.enum(['upgraded', 'downgrade_scheduled', 'cancel_scheduled']) }) } },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
});

export const changePlan = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { planId } = c.req.valid('json');
  const { subscriptions, organizationId } = ownSubscription(c);
  const result = await callWorkflow(() => subscriptions.changePlan(organizationId, { plan: planId }, c.get('idempotencyKey')));
  return c.json({ change: result.change, ...(await subscriptionState(c)) }, 200);
});
