import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listPaymentMethods } from '../../../db/read-models/payment-methods';
import type { AppEnv } from '../../context';
import { userRead } from '../../middleware/guards';
import { errorResponses } from '../../schemas';

const PaymentMethodSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    brand: z.string().nullable(),
    last4: z.string().nullable(),
    expMonth: z.number().int().nullable(),
    expYear: z.number().int().nullable(),
    isDefault: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('PaymentMethod');

const route = createRoute({
  method: 'get',
  path: '/payment-methods',
  tags: ['payment methods'],
  summary: "The organization's attached payment methods, the default first",
  security: [{ userToken: [] }],
  middleware: [...userRead],
  responses: {
    200: { description: 'Payment methods', content: { 'application/json': { schema: z.object({ data: z.array(PaymentMethodSchema) }) } } },
    ...errorResponses(401, 429),
  },
});

export const listPaymentMethodsRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  return c.json({ data: await listPaymentMethods(c.get('deps').db, c.get('principal').organizationId) }, 200);
});
