import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { callWorkflow, ownSubscription } from '../subscription/workflow-call';
import { setupIntentExample } from '../../examples';

const SetupIntentSchema = z
  .object({
    setupIntentId: z.string(),
    clientSecret: z.string().openapi({
      description:
        'For Stripe.js confirmCardSetup on the customer’s device (3-D Secure happens there if the card asks)',
    }),
    publishableKey: z
      .string()
      .nullable()
      .openapi({ description: 'STRIPE_PUBLISHABLE_KEY, for Stripe.js; null when not configured' }),
  })
  .openapi('SetupIntent');

export const createSetupIntent = defineEndpoint({
  method: 'post',
  path: '/payment-methods/setup-intent',
  tags: ['payment methods'],
  summary: 'Start collecting a card for later payments (a Stripe SetupIntent)',
  description:
    'Works before and during a subscription (the Stripe customer is created if need be). Confirm it in the browser with Stripe.js, then pass its payment method to POST /subscription or POST /payment-method. A card set up this way is charged off session without asking the customer again where the issuer allows it.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  responses: {
    200: {
      description: 'The SetupIntent and the key Stripe.js needs',
      content: { 'application/json': { schema: SetupIntentSchema, example: setupIntentExample } },
    },
    ...errorResponses(401, 403, 409, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const intent = await callWorkflow(() => subscriptions.createSetupIntent(organizationId, r.updateId));
    return { ...intent, publishableKey: r.deps.config.stripe.publishableKey };
  },
});
