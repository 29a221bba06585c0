import { z } from '@hono/zod-openapi';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { PaymentMethodIdInput, PlanIdInput, SubscriptionEnvelope } from './schemas';
import { AddOnsInput, IntervalInput, SeatsInput } from './terms';
import { callWorkflow, ownSubscription, subscriptionState } from './workflow-call';
import { subscriptionStateExample } from '../../examples';
import { PromotionCodeInput } from './discount';
import { CurrencyInput, subscribeCurrency } from './currency';

const Body = z
  .object({
    planId: PlanIdInput,
    paymentMethodId: PaymentMethodIdInput.optional().openapi({
      description: 'Collected by Stripe.js; optional while the plan has a trial',
    }),
    skipTrial: z.boolean().optional().openapi({
      description:
        'Pay now instead of starting the plan’s trial (e.g. an organization that had one); needs paymentMethodId',
    }),
    interval: IntervalInput.optional().openapi({ description: 'month (default) or year' }),
    seats: SeatsInput.optional(),
    addOns: AddOnsInput.optional(),
    promotionCode: PromotionCodeInput.optional().openapi({
      description:
        'Redeemed with the subscription; an unknown, inactive, expired, used-up or not-applicable code refuses the subscribe (400, nothing created)',
    }),
    currency: CurrencyInput.optional(),
  })
  .strict();

export const createSubscription = defineEndpoint({
  method: 'post',
  path: '/subscription',
  tags: ['subscription'],
  summary: 'Subscribe the organization to a plan (with the plan’s trial)',
  description:
    'Starts the organization’s subscription workflow if needed. The currency (usd or eur) is fixed by the first subscribe: asking for another one later is 409 CONFLICT naming both. Two concurrent calls yield one subscription; the second gets 409. A first payment that needs the customer (3-D Secure) answers 201 with status incomplete and subscription.paymentAction; it becomes active once paid, or ends (back on free, nothing charged) after 23 hours.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(Body),
  status: 201,
  responses: {
    201: {
      description: 'Subscribed',
      content: { 'application/json': { schema: SubscriptionEnvelope, example: subscriptionStateExample } },
    },
    ...errorResponses(400, 401, 402, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { planId, paymentMethodId, skipTrial, interval, seats, addOns, promotionCode } = r.body;
    const { subscriptions, organizationId } = ownSubscription(r);
    const currency = await subscribeCurrency(r.deps.db, organizationId, r.body.currency);
    await callWorkflow(() =>
      subscriptions.subscribe(
        organizationId,
        {
          plan: planId,
          paymentMethodId,
          skipTrial,
          email: r.principal.email,
          interval,
          seats,
          addOns,
          ...(promotionCode ? { promotionCode } : {}),
          // Sent only when not usd, so a default subscribe's arguments are what they were before EUR.
          ...(currency !== 'usd' || r.body.currency ? { currency } : {}),
        },
        r.updateId,
      ),
    );
    return subscriptionState(r);
  },
});
