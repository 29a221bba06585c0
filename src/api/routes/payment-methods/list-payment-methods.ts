import { z } from '@hono/zod-openapi';
import { listPaymentMethods } from '../../../db/read-models/payment-methods';
import { defineEndpoint } from '../../endpoint';
import { Timestamp, errorResponses } from '../../schemas';
import { paymentMethodsExample } from '../../examples';

const PaymentMethodSchema = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'card' }),
    brand: z.string().nullable(),
    last4: z.string().nullable(),
    expMonth: z.number().int().nullable(),
    expYear: z.number().int().nullable(),
    isDefault: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('PaymentMethod');

export const listPaymentMethodsEndpoint = defineEndpoint({
  method: 'get',
  path: '/payment-methods',
  tags: ['payment methods'],
  summary: "The organization's attached payment methods, the default first",
  auth: 'user-read',
  responses: {
    200: {
      description: 'Payment methods',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(PaymentMethodSchema) }),
          example: paymentMethodsExample,
        },
      },
    },
    ...errorResponses(401, 429),
  },
  handle: async (r) => ({ data: await listPaymentMethods(r.deps.db, r.principal.organizationId) }),
});
