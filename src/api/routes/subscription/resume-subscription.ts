import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { resumeUpdate } from '../../../workflows/messages';
import type { AppEnv } from '../../context';
import { userWrite } from '../../middleware/guards';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscriptionHandle, subscriptionState } from './workflow-call';

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
  await callWorkflow(() => ownSubscriptionHandle(c).executeUpdate(resumeUpdate, { args: [], updateId: c.get('idempotencyKey') }));
  return c.json(await subscriptionState(c), 200);
});
