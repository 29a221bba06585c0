import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const route = createRoute({
  method: 'post',
  path: '/subscription/resume',
  tags: ['subscription'],
  summary: 'Undo a pending cancellation or downgrade',
  security: [{ userToken: [] }],
  middleware: [...userWrite],
  request: { headers: IdempotencyHeaders },
  responses: {
    200: { description: 'The resulting state', content: { 'application/json': { schema: SubscriptionEnvelope } } },
    ...errorResponses(401, 403, 409, 429, 502, 503),
  },
});

export const resumeSubscription = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { subscriptions, organizationId } = ownSubscription(c);
  await callWorkflow(() => subscriptions.resume(organizationId, c.get('idempotencyKey')));
  return c.json(await subscriptionState(c), 200);
});
