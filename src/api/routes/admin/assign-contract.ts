import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { contractExample } from '../../examples';
import { CONTRACT_CURRENCIES, MAX_CONTRACT_AMOUNT, MAX_DAYS_UNTIL_DUE, type Contract } from '../../../domain/contract';
import { LIMIT_METRICS, UNLIMITED } from '../../../domain/plans';
import { BILLING_INTERVALS } from '../../../domain/pricing';
import { findCurrentSubscription } from '../../../db/read-models/subscriptions';
import { configuredSubscriptionClient } from '../../../subscriptions/client';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { errorResponses } from '../../schemas';
import { SubscriptionSchema } from '../subscription/schemas';
import { callWorkflow } from '../subscription/workflow-call';

const ContractBody = z
  .object({
    amount: z
      .number()
      .int()
      .min(1)
      .max(MAX_CONTRACT_AMOUNT)
      .openapi({ description: 'The contract price per interval, in minor units' }),
    currency: z.enum(CONTRACT_CURRENCIES),
    interval: z.enum(BILLING_INTERVALS),
    limits: z
      .partialRecord(z.enum(LIMIT_METRICS), z.number().int().min(UNLIMITED))
      .default({})
      .openapi({ description: 'Per metric: the limit, or -1 for unlimited; a metric left out is unlimited' }),
    collection: z.discriminatedUnion('method', [
      z.object({ method: z.literal('charge_automatically') }).strict(),
      z
        .object({ method: z.literal('send_invoice'), daysUntilDue: z.number().int().min(1).max(MAX_DAYS_UNTIL_DUE) })
        .strict(),
    ]),
    email: z.email().max(254).optional().openapi({ description: 'Billing email, when the customer is created now' }),
  })
  .strict();

/**
 * Operators assign an enterprise contract to an organization on free (with or without a card), or in place of its
 * live trialing or active subscription (the old one canceled with its unused time refunded): its price, limits and
 * collection. Update-with-start, like subscribe; the workflow decides. The update id is the operator's
 * Idempotency-Key (scoped to the organization), else a new one per request.
 */
export const assignContractEndpoint = defineEndpoint({
  method: 'post',
  path: '/admin/organizations/{organizationId}/contract',
  tags: ['admin'],
  summary:
    'Assign an enterprise contract: custom price and interval, limits, card or invoice collection (operators only)',
  description:
    'For an organization on free (with or without a card), or in place of its live trialing or active subscription: the contract’s subscription is created on the same Stripe customer, then the old one is canceled at once with its unused time refunded to the card (a credit note). 409 when the organization is already on a contract, is past_due or paused, has an upgrade waiting for its payment, or is billed in another currency than the contract’s.',
  auth: 'admin',
  bodyLimit: USER_BODY_LIMIT,
  params: z.object({ organizationId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an organization id') }),
  headers: z.object({
    'idempotency-key': z
      .string()
      .regex(/^[\w.:-]{8,200}$/)
      .optional()
      .openapi({ description: 'A retried request with the same key is the same assignment (answered the same)' }),
  }),
  body: jsonBody(ContractBody),
  responses: {
    200: {
      description: 'The subscription on the contract',
      content: {
        'application/json': {
          schema: z.object({ subscription: SubscriptionSchema.nullable() }),
          example: contractExample,
        },
      },
    },
    ...errorResponses(400, 401, 402, 409, 413, 422, 502, 503),
  },
  async handle(r) {
    const { organizationId } = r.params;
    const { email, ...contract } = r.body;
    const subscriptions = configuredSubscriptionClient(r.deps.temporal, r.deps.config);
    // Without a key each request is its own assignment: a key made from the request would name the same Stripe
    // creation again after a cancel (Stripe replays a key's first answer for 24 hours) or the same declined attempt.
    const key = `admin-contract:${organizationId}:${r.header('idempotency-key') ?? randomUUID()}`;
    await callWorkflow(() =>
      subscriptions.assignContract(organizationId, { contract: contract as Contract, ...(email && { email }) }, key),
    );
    return { subscription: await findCurrentSubscription(r.deps.db, organizationId) };
  },
});
