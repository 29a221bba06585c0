import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { findCurrentSubscription } from '../../../db/read-models/subscriptions';
import { effectivePlan } from '../../../domain/effective-plan';
import type { AppEnv } from '../../context';
import { userRead } from '../../middleware/guards';
import { errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';

const route = createRoute({
  method: 'get',
  path: '/subscription',
  tags: ['subscription'],
  summary: "The organization's subscription (from the read model)",
  security: [{ userToken: [] }],
  middleware: [...userRead],
  responses: {
    200: { description: 'The live subscription, else the most recent ended one, else null', content: { 'application/json': { schema: SubscriptionEnvelope } } },
    ...errorResponses(401, 429),
  },
});

export const getSubscription = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const subscription = await findCurrentSubscription(c.get('deps').db, c.get('principal').organizationId);
  return c.json({ subscription, effectivePlan: effectivePlan(subscription) }, 200);
});
