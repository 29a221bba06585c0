import { z } from '@hono/zod-openapi';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { errorResponses } from '../../schemas';
import { PlanIdInput } from './schemas';
import { callWorkflow, ownSubscription } from './workflow-call';

const Body = z.object({ planId: PlanIdInput }).strict();

const Preview = z
  .object({
    plan: PlanIdInput,
    currency: z.string(),
    amountDueNow: z.number().int().openapi({ description: 'Charged immediately if confirmed (minor units)' }),
    prorationAmount: z.number().int().openapi({ description: 'Sum of proration lines; negative = credit' }),
    nextRenewalAmount: z.number().int(),
    prorationDate: z.number().int().openapi({ description: 'Epoch ms the proration was computed for' }),
  })
  .openapi('PlanChangePreview');

export const previewChange = defineEndpoint({
  method: 'post',
  path: '/subscription/preview',
  tags: ['subscription'],
  summary: 'Preview a plan change: the prorated amount before confirming',
  description: 'Changes nothing. Stripe computes the proration as of now.',
  // Previewing changes nothing, so members may look too.
  auth: 'user-read',
  body: jsonBody(Body),
  responses: {
    200: { description: 'The proration Stripe would charge', content: { 'application/json': { schema: Preview } } },
    ...errorResponses(400, 401, 409, 422, 429, 502, 503),
  },
  handle: (r) => {
    const { subscriptions, organizationId } = ownSubscription(r);
    return callWorkflow(() => subscriptions.previewPlanChange(organizationId, { plan: r.body.planId }));
  },
});
