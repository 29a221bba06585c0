import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { listInvoices, type InvoiceCursor } from '../../../db/repositories/invoice-list';
import type { AppEnv } from '../../context';
import { ApiError } from '../../errors';
import { userRead } from '../../middleware/guards';
import { errorResponses } from '../../schemas';

const InvoiceSchema = z
  .object({
    id: z.string(),
    stripeInvoiceId: z.string(),
    number: z.string().nullable(),
    status: z.string().openapi({ description: 'draft | open | paid | uncollectible | void' }),
    currency: z.string(),
    amountDue: z.number().int(),
    amountPaid: z.number().int(),
    amountRemaining: z.number().int(),
    billingReason: z.string().nullable(),
    attemptCount: z.number().int(),
    hostedInvoiceUrl: z.string().nullable(),
    invoicePdf: z.string().nullable(),
    periodStart: z.string().nullable(),
    periodEnd: z.string().nullable(),
    dueDate: z.string().nullable(),
    paidAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Invoice');

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor from the previous page' }),
});

const route = createRoute({
  method: 'get',
  path: '/invoices',
  tags: ['invoices'],
  summary: "The organization's invoices, newest first, with hosted and PDF links",
  security: [{ userToken: [] }],
  middleware: [...userRead],
  request: { query: Query },
  responses: {
    200: {
      description: 'A page of invoices',
      content: { 'application/json': { schema: z.object({ data: z.array(InvoiceSchema), nextCursor: z.string().nullable() }) } },
    },
    ...errorResponses(401, 422, 429),
  },
});

const CursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

function decodeCursor(cursor: string): InvoiceCursor {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError('VALIDATION_FAILED', 'cursor is not one this API issued', { issues: [{ path: 'cursor', message: 'invalid' }] });
  }
}

export const listInvoicesRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const page = await listInvoices(c.get('deps').db, c.get('principal').organizationId, {
    limit,
    after: cursor ? decodeCursor(cursor) : undefined,
  });
  const nextCursor = page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null;
  return c.json({ data: page.data, nextCursor }, 200);
});
