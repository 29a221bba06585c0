import { z } from '@hono/zod-openapi';
import { PROMOTION_CODE } from '../../../domain/discounts';
import { discountAppliedExample, discountRemovedExample } from '../../examples';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { IdempotencyHeaders, errorResponses } from '../../schemas';
import { callWorkflow, ownSubscription } from './workflow-call';
import { DiscountSchema } from './schemas';

export const PromotionCodeInput = z
  .string()
  .regex(PROMOTION_CODE, 'letters and digits (3-40)')
  .openapi({ description: 'A promotion code as the customer typed it (any case)', example: 'SPRING25' });

const DiscountEnvelope = z.object({ discount: DiscountSchema.nullable() });

export const applyDiscount = defineEndpoint({
  method: 'post',
  path: '/subscription/discount',
  tags: ['subscription'],
  summary: 'Apply a promotion code to the subscription (replacing its discount)',
  description:
    'The code is looked up in Stripe first: unknown, inactive, expired, used up, or for another plan is 400 INVALID_REQUEST with details.promotionCode (unknown, inactive, expired, exhausted, not_applicable) and nothing changes. The discount applies from the next invoice; previews (POST /subscription/preview) show it.',
  auth: 'user-write',
  bodyLimit: USER_BODY_LIMIT,
  headers: IdempotencyHeaders,
  body: jsonBody(z.object({ promotionCode: PromotionCodeInput }).strict()),
  responses: {
    200: {
      description: 'The discount now on the subscription',
      content: { 'application/json': { schema: DiscountEnvelope, example: discountAppliedExample } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 422, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const view = await callWorkflow(() =>
      subscriptions.applyDiscount(organizationId, { promotionCode: r.body.promotionCode }, r.updateId),
    );
    return { discount: view.discount };
  },
});

export const removeDiscount = defineEndpoint({
  method: 'delete',
  path: '/subscription/discount',
  tags: ['subscription'],
  summary: 'Take the discount off the subscription (from the next invoice)',
  auth: 'user-write',
  headers: IdempotencyHeaders,
  responses: {
    200: {
      description: 'No discount any more',
      content: { 'application/json': { schema: DiscountEnvelope, example: discountRemovedExample } },
    },
    ...errorResponses(400, 401, 403, 409, 429, 502, 503),
  },
  async handle(r) {
    const { subscriptions, organizationId } = ownSubscription(r);
    const view = await callWorkflow(() => subscriptions.removeDiscount(organizationId, r.updateId));
    return { discount: view.discount };
  },
});
