import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PlanIdInput, SubscriptionEnvelope } from './schemas';
import { AddOnsInput, IntervalInput, SeatsInput, refuseSeatsBelowUsers } from './terms';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';
import { subscriptionChangeExample } from '../../examples';

export const ChangeBody = z
  .object({
    planId: PlanIdInput.optional(),
    interval: IntervalInput.optional(),
    seats: SeatsInput.optional(),
    addOns: AddOnsInput.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'name at least one of planId, interval, seats, addOns',
  });

export const changePlan = defineEndpoint({
  method: 'patch',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Change plan, interval or seats: increases apply now with a prorated charge, decreases at period end',
  description:
    'What costs more (a higher plan, monthly → yearly, more seats or add-on packs) is applied only if its prorated invoice is paid (402 otherwise, nothing changed); when that payment needs the customer (3-D Secure) the answer is upgrade_requires_action with subscription.paymentAction, and the change applies once it is paid (rolled back after 23 hours otherwise). What costs less (a lower plan, yearly → monthly, fewer seats or packs) is scheduled for the period end (downgrade_scheduled, subscription.scheduledChange; resume undoes it). A request that does both is refused (400). Removing seats below the users in use is refused with 409 (details.usersInUse, details.seatLimit). Choosing free cancels at period end.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(ChangeBody),
  responses: {
    200: {
      description: 'What happened, and the resulting state',
      content: {
        'application/json': {
          schema: SubscriptionEnvelope.extend({
            change: z.enum(['upgraded', 'upgrade_requires_action', 'downgrade_scheduled', 'cancel_scheduled']),
          }),
          example: subscriptionChangeExample,
        },
      },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const { planId, ...terms } = r.body;
    const args = { ...(planId && { plan: planId }), ...terms };
    await refuseSeatsBelowUsers(r, args);
    const result = await callWorkflow(() => subscriptions.changePlan(organizationId, args, r.updateId));
    return { change: result.change, ...(await subscriptionState(r)) };
  },
});
