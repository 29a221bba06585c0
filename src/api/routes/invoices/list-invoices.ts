import { z } from '@hono/zod-openapi';
import { listInvoices, type InvoiceCursor } from '../../../db/read-models/invoices';
import { invoiceDeliveries, type EmailDelivery } from '../../../invoice-delivery';
import { creditNotesOf } from '../../../refunds/refund-invoice';
import { ApiError } from '../../errors';
import { defineEndpoint } from '../../endpoint';
import { CurrencySchema, Timestamp, errorResponses } from '../../schemas';
import { invoicesExample } from '../../examples';

const EmailDeliverySchema = z
  .object({
    status: z.enum(['not_required', 'queued', 'pending', 'sent', 'failed', 'not_sent']).openapi({
      description:
        'not_required (nothing owed) | queued (not yet in the outbox) | pending (retrying) | sent | failed (given up; an operator can re-send) | not_sent (invoice predates invoice emails)',
    }),
    attempts: z.number().int(),
    sentAt: Timestamp.nullable(),
  })
  .openapi('EmailDelivery');

const InvoiceSchema = z
  .object({
    id: z.string(),
    stripeInvoiceId: z.string(),
    number: z.string().nullable(),
    status: z
      .enum(['draft', 'open', 'paid', 'uncollectible', 'void'])
      .openapi({ description: "Stripe's invoice status" }),
    currency: CurrencySchema,
    amountDue: z.number().int(),
    amountPaid: z.number().int(),
    amountRemaining: z.number().int(),
    subtotal: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Before discounts; null for an invoice mirrored before the mirror kept it' }),
    discount: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'What the discounts took off (Stripe’s total_discount_amounts); null as subtotal' }),
    billingReason: z.string().nullable(),
    attemptCount: z.number().int(),
    hostedInvoiceUrl: z.string().nullable(),
    invoicePdf: z.string().nullable(),
    periodStart: Timestamp.nullable(),
    periodEnd: Timestamp.nullable(),
    dueDate: Timestamp.nullable(),
    paidAt: Timestamp.nullable(),
    createdAt: Timestamp,
    tax: z.number().int().nullable().openapi({
      description: 'Tax Stripe Tax computed, included in amountDue (null: automatic tax was off for this invoice)',
    }),
    totalExcludingTax: z.number().int().nullable().openapi({ description: 'The total before tax, after discounts' }),
    reverseCharge: z
      .boolean()
      .openapi({ description: 'Reverse charge: an EU business customer accounts for the VAT itself (tax 0)' }),
    refundedAmount: z.number().int().openapi({ description: 'Refunded through credit notes, minor units' }),
    creditNotes: z
      .array(
        z.object({
          number: z.string(),
          amount: z.number().int(),
          refundedAmount: z.number().int(),
          reason: z.string().nullable(),
          pdfUrl: z.string().nullable(),
          createdAt: z.string(),
        }),
      )
      .openapi({ description: 'Credit notes issued on the invoice, oldest first' }),
    delivery: z.object({ invoice: EmailDeliverySchema, receipt: EmailDeliverySchema }).openapi({
      description: 'The invoice email and the receipt, beside the payment status',
    }),
  })
  .openapi('Invoice');

const NOT_REQUIRED: EmailDelivery = { status: 'not_required', attempts: 0, sentAt: null, lastError: null };
// Mail server errors are for operators (admin endpoints), not for the customer's frontend.
const publicDelivery = ({ status, attempts, sentAt }: EmailDelivery) => ({ status, attempts, sentAt });

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor from the previous page' }),
});

export const listInvoicesEndpoint = defineEndpoint({
  method: 'get',
  path: '/invoices',
  tags: ['invoices'],
  summary: "The organization's invoices, newest first, with hosted and PDF links",
  auth: 'user-read',
  query: Query,
  responses: {
    200: {
      description: 'A page of invoices',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(InvoiceSchema), nextCursor: z.string().nullable() }),
          example: invoicesExample,
        },
      },
    },
    ...errorResponses(401, 422, 429),
  },
  async handle(r) {
    const { limit, cursor } = r.query;
    const { db } = r.deps;
    const organizationId = r.principal.organizationId;
    const page = await listInvoices(db, organizationId, { limit, after: cursor ? decodeCursor(cursor) : undefined });
    const deliveries = await invoiceDeliveries(
      db,
      organizationId,
      page.data.map((i) => i.stripeInvoiceId),
    );
    const credits = await creditNotesOf(
      db,
      page.data.map((i) => i.stripeInvoiceId),
    );
    const data = page.data.map((invoice) => {
      const delivery = deliveries.get(invoice.stripeInvoiceId);
      const creditNotes = credits.get(invoice.stripeInvoiceId) ?? [];
      return {
        ...invoice,
        refundedAmount: creditNotes.reduce((sum, c) => sum + c.refundedAmount, 0),
        creditNotes,
        delivery: {
          invoice: publicDelivery(delivery?.invoice_issued ?? NOT_REQUIRED),
          receipt: publicDelivery(delivery?.invoice_receipt ?? NOT_REQUIRED),
        },
      };
    });
    const nextCursor = page.next ? Buffer.from(JSON.stringify(page.next)).toString('base64url') : null;
    return { data, nextCursor };
  },
});

const CursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

function decodeCursor(cursor: string): InvoiceCursor {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError('VALIDATION_FAILED', 'cursor is not one this API issued', {
      issues: [{ path: 'cursor', message: 'invalid' }],
    });
  }
}
