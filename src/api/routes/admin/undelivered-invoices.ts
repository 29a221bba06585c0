import { z } from '@hono/zod-openapi';
import { INVOICE_EMAIL_KINDS } from '../../../domain/invoice-emails';
import { listUndeliveredInvoiceEmails } from '../../../invoice-delivery';
import { organizationIdSchema } from '../../../usage/event-schema';
import { defineEndpoint } from '../../endpoint';
import { Timestamp, errorResponses } from '../../schemas';
import { undeliveredExample } from '../../examples';

const UndeliveredEmail = z
  .object({
    organizationId: z.string(),
    stripeInvoiceId: z.string(),
    number: z.string().nullable(),
    invoiceStatus: z.string(),
    amountDue: z.number().int(),
    currency: z.string(),
    invoiceCreatedAt: Timestamp,
    kind: z.enum(INVOICE_EMAIL_KINDS),
    status: z.enum(['queued', 'pending', 'failed', 'not_required', 'sent', 'not_sent']),
    attempts: z.number().int(),
    sentAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    toAddress: z.string().nullable(),
  })
  .openapi('UndeliveredInvoiceEmail');

export const undeliveredInvoicesEndpoint = defineEndpoint({
  method: 'get',
  path: '/admin/invoices/undelivered',
  tags: ['admin'],
  summary: 'Invoice emails and receipts not (yet) accepted by the mail server, newest invoice first (operators only)',
  auth: 'admin',
  query: z.object({
    organizationId: organizationIdSchema.optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .openapi({ description: 'Invoices (each may list its email and its receipt)' }),
  }),
  responses: {
    200: {
      description: 'The undelivered emails',
      content: {
        'application/json': { schema: z.object({ data: z.array(UndeliveredEmail) }), example: undeliveredExample },
      },
    },
    ...errorResponses(401, 422),
  },
  handle: async ({ deps, query }) => ({ data: await listUndeliveredInvoiceEmails(deps.db, query) }),
});
