import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { AddOnIdInput, PacksInput } from './terms';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';
import { subscriptionChangeExample } from '../../examples';

const Changed = SubscriptionEnvelope.extend({
  change: z.enum(['upgraded', 'upgrade_requires_action', 'downgrade_scheduled']),
});

/** Sets an add-on's packs through the same update as PATCH /subscription: more now (prorated), fewer at renewal. */
export const setAddOn = defineEndpoint({
  method: 'post',
  path: '/subscription/add-ons',
  tags: ['subscription'],
  summary: 'Buy add-on packs (or set how many are held): more apply now, prorated; fewer at the renewal',
  description:
    'quantity is the number of packs held afterwards (default 1). Raising it is charged now with proration (3-D Secure as for upgrades); lowering it is scheduled for the period end and undone by resume.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(z.object({ addOn: AddOnIdInput, quantity: PacksInput.min(1).optional() }).strict()),
  responses: {
    200: {
      description: 'What happened, and the resulting state',
      content: { 'application/json': { schema: Changed, example: subscriptionChangeExample } },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const addOns = { [r.body.addOn]: r.body.quantity ?? 1 };
    const result = await callWorkflow(() => subscriptions.changePlan(organizationId, { addOns }, r.updateId));
    return { change: result.change as z.infer<typeof Changed>['change'], ...(await subscriptionState(r)) };
  },
});

export const removeAddOn = defineEndpoint({
  method: 'delete',
  path: '/subscription/add-ons/{addOn}',
  tags: ['subscription'],
  summary: 'Remove an add-on at the renewal (undo with resume)',
  auth: 'user-write',
  headers: IdempotencyHeaders,
  params: z.object({ addOn: AddOnIdInput }),
  responses: {
    200: {
      description: 'The removal is scheduled',
      content: { 'application/json': { schema: Changed, example: subscriptionChangeExample } },
    },
    ...errorResponses(400, 401, 403, 409, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const addOns = { [r.params.addOn]: 0 };
    const result = await callWorkflow(() => subscriptions.changePlan(organizationId, { addOns }, r.updateId));
    return { change: result.change as z.infer<typeof Changed>['change'], ...(await subscriptionState(r)) };
  },
});
