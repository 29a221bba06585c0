import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';
import { subscriptionStateExample } from '../../examples';

export const resumeSubscription = defineEndpoint({
  method: 'post',
  path: '/subscription/resume',
  tags: ['subscription'],
  summary: 'Undo a pending cancellation or downgrade',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  responses: {
    200: {
      description: 'The resulting state',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: subscriptionStateExample } },
    },
    ...errorResponses(401, 403, 409, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    await callWorkflow(() => subscriptions.resume(organizationId, r.updateId));
    return subscriptionState(r);
  },
});
