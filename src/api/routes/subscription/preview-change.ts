import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../context';
import { authenticateUser } from '../../middleware/guards';
import { limitByOrganization } from '../../middleware/rate-limit';
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

const route = createRoute({
  method: 'post',
  path: '/subscription/preview',
  tags: ['subscription'],
  summary: 'Preview a plan change: the prorated amount before confirming',
  description: 'Changes nothing. Stripe computes the proration as of now.',
  security: [{ userToken: [] }],
  // Previewing changes nothing, so members may look too.
  middleware: [authenticateUser('read'), limitByOrganization()],
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: {
    200: { description: 'The proration Stripe would charge', content: { 'application/json': { schema: Preview } } },
    ...errorResponses(400, 401, 409, 422, 429, 502, 503),
  },
});

export const previewChange = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { planId } = c.req.valid('json');
  const { subscriptions, organizationId } = ownSubscription(c);
  const preview = await callWorkflow(() => subscriptions.previewPlanChange(organizationId, { plan: planId }));
  return c.json(preview, 200);
});
