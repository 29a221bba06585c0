import { findCurrentSubscription } from '../../../db/read-models/subscriptions';
import { effectivePlan } from '../../../domain/effective-plan';
import { defineEndpoint } from '../../endpoint';
import { errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { subscriptionStateExample } from '../../examples';

export const getSubscription = defineEndpoint({
  method: 'get',
  path: '/subscription',
  tags: ['subscription'],
  summary: "The organization's subscription (from the read model)",
  auth: 'user-read',
  responses: {
    200: {
      description: 'The live subscription, else the most recent ended one, else null',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: subscriptionStateExample } },
    },
    ...errorResponses(401, 429),
  },
  async handle(r) {
    const subscription = await findCurrentSubscription(r.deps.db, r.principal.organizationId);
    return { subscription, effectivePlan: effectivePlan(subscription) };
  },
});
