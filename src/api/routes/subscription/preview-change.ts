import { z } from '@hono/zod-openapi';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { withinPreviewBudget } from '../../middleware/rate-limit';
import { errorResponses } from '../../schemas';
import { ChangeBody } from './change-plan';
import { PlanIdInput } from './schemas';
import { AddOnsInput, IntervalInput, SeatsInput } from './terms';
import { callWorkflow, ownSubscription } from './workflow-call';
import { previewExample } from '../../examples';

const Preview = z
  .object({
    plan: PlanIdInput,
    currency: z.string(),
    amountDueNow: z.number().int().openapi({ description: 'Charged immediately if confirmed (minor units)' }),
    prorationAmount: z.number().int().openapi({ description: 'Sum of proration lines; negative = credit' }),
    nextRenewalAmount: z
      .number()
      .int()
      .openapi({ description: 'One renewal at catalog prices, before any discount (GET /invoices/upcoming has it)' }),
    prorationDate: z.number().int().openapi({ description: 'Epoch ms the proration was computed for' }),
    effective: z
      .enum(['now', 'at_renewal'])
      .optional()
      .openapi({ description: 'now: charged now (amountDueNow); at_renewal: nothing now, the renewal changes' }),
    terms: z.object({ interval: IntervalInput, seats: SeatsInput, addOns: AddOnsInput }).optional(),
    renewalAmounts: z
      .object({ month: z.number().int(), year: z.number().int() })
      .optional()
      .openapi({ description: 'One renewal of the target on each interval, to compare monthly and yearly' }),
    tax: z.number().int().optional().openapi({
      description:
        'STRIPE_TAX only: the tax included in amountDueNow, as Stripe Tax computed it (renewal amounts are before tax)',
    }),
    reverseCharge: z
      .boolean()
      .optional()
      .openapi({ description: 'STRIPE_TAX only: reverse-charged (an EU business customer accounts for the VAT)' }),
  })
  .openapi('PlanChangePreview');

export const previewChange = defineEndpoint({
  method: 'post',
  path: '/subscription/preview',
  tags: ['subscription'],
  summary: 'Preview a change of plan, interval, seats or add-ons: the prorated amount before confirming',
  description: 'Changes nothing. Stripe computes the proration as of now.',
  // Previewing changes nothing, so members may look too.
  auth: 'user-read',
  body: jsonBody(ChangeBody),
  responses: {
    200: {
      description: 'The proration Stripe would charge',
      content: { 'application/json': { schema: Preview, example: previewExample } },
    },
    ...errorResponses(400, 401, 409, 422, 429, 502, 503),
  },
  handle: async (r) => {
    const { subscriptions, organizationId } = ownSubscription(r);
    const { planId, ...terms } = r.body;
    // The preview budget (middleware/rate-limit.ts): on top of the organization's general one, never instead.
    return withinPreviewBudget(r.deps.previewLimiter, organizationId, () =>
      callWorkflow(() =>
        subscriptions.previewPlanChange(organizationId, { ...(planId && { plan: planId }), ...terms }),
      ),
    );
  },
});
