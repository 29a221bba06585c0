import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PlanIdInput, SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const Body = z.object({ planId: PlanIdInput }).strict();

export const changePlan = defineEndpoint({
  method: 'patch',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Change plan: upgrades apply now with a prorated charge, downgrades at period end',
  description:
    'An upgrade is applied only if its prorated invoice is paid (402 otherwise, nothing changed); when that payment needs the customer (3-D Secure) the answer is upgrade_requires_action with subscription.paymentAction, and the plan changes once it is paid (rolled back after 23 hours otherwise). Choosing free cancels at period end.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(Body),
  responses: {
    200: {
      description: 'What happened, and the resulting state',
      content: {
        'application/json': {
          schema: SubscriptionEnvelope.extend({
            change: z.enum(['upgraded', 'upgrade_requires_action', 'downgrade_scheduled', 'cancel_scheduled']),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const result = await callWorkflow(() =>
      subscriptions.changePlan(organizationId, { plan: r.body.planId }, r.idempotencyKey),
    );
    return { change: result.change, ...(await subscriptionState(r)) };
  },
});
