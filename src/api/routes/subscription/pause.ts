import { pausedExample, subscriptionStateExample } from '../../examples';
import { z } from '@hono/zod-openapi';
import { PAUSE_BEHAVIORS, resumesAtRefusal } from '../../../domain/pause';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { SubscriptionEnvelope } from './schemas';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';

const PauseBody = z
  .object({
    behavior: z.enum(PAUSE_BEHAVIORS).openapi({
      description:
        'keep_access: the plan stays usable for free (Stripe marks the pause’s invoices uncollectible); no_access: free limits apply and the pause’s invoices are voided',
    }),
    resumesAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'When billing resumes (in the future, at most a year out); absent = until resumed' }),
  })
  .strict()
  // The same rule the workflow applies; checked here too so a bad date is a 422 before anything is sent.
  .superRefine((b, ctx) => {
    const problem = b.resumesAt === undefined ? null : resumesAtRefusal(Date.parse(b.resumesAt), Date.now());
    if (problem) ctx.addIssue({ code: 'custom', path: ['resumesAt'], message: problem });
  });

export const pauseSubscription = defineEndpoint({
  method: 'post',
  path: '/subscription/pause',
  tags: ['subscription'],
  summary: 'Pause billing, with or without access, until a date or until resumed',
  description:
    'Only an active subscription can be paused (not a trial, a failing payment, a pending cancellation or a pause). Stripe keeps the billing periods running and collects nothing meanwhile; DELETE /subscription/pause resumes early.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(PauseBody),
  responses: {
    200: {
      description: 'The paused state',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: pausedExample } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const resumesAt = r.body.resumesAt === undefined ? undefined : Date.parse(r.body.resumesAt);
    await callWorkflow(() => subscriptions.pause(organizationId, { behavior: r.body.behavior, resumesAt }, r.updateId));
    return subscriptionState(r);
  },
});

export const resumePausedSubscription = defineEndpoint({
  method: 'delete',
  path: '/subscription/pause',
  tags: ['subscription'],
  summary: 'End a pause now: billing resumes from the next renewal',
  auth: 'user-write',
  headers: IdempotencyHeaders,
  responses: {
    200: {
      description: 'The resumed state',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: subscriptionStateExample } },
    },
    ...errorResponses(401, 403, 409, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    await callWorkflow(() => subscriptions.unpause(organizationId, r.updateId));
    return subscriptionState(r);
  },
});
