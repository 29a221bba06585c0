import { z } from '@hono/zod-openapi';
import { INVOICE_EMAIL_KINDS } from '../../../domain/invoice-emails';
import { ResendError, resendInvoiceEmails } from '../../../invoice-delivery';
import { billingEmailResolver } from '../../../notifications/billing-recipient';
import { ApiError } from '../../errors';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { errorResponses } from '../../schemas';
import { resendExample } from '../../examples';

export const stripeInvoiceIdSchema = z.string().regex(/^in_[A-Za-z0-9_]{1,200}$/, 'a Stripe invoice id (in_…)');

const Result = z
  .object({
    stripeInvoiceId: z.string(),
    organizationId: z.string(),
    emails: z.array(
      z.object({
        kind: z.enum(INVOICE_EMAIL_KINDS),
        outcome: z.enum(['requeued', 'retry_now', 'queued', 'already_sent', 'in_flight']),
      }),
    ),
  })
  .openapi('InvoiceResendResult');

export const resendInvoiceEndpoint = defineEndpoint({
  method: 'post',
  path: '/admin/invoices/{invoiceId}/resend',
  tags: ['admin'],
  summary:
    "Sends an invoice's undelivered email or receipt again (operators only); a delivered email is never sent twice",
  auth: 'admin',
  bodyLimit: USER_BODY_LIMIT,
  params: z.object({ invoiceId: stripeInvoiceIdSchema }),
  body: jsonBody(
    z.object({
      kind: z.enum(INVOICE_EMAIL_KINDS).optional().openapi({ description: 'Default: every undelivered one' }),
    }),
    { required: false },
  ),
  responses: {
    200: {
      description: 'What happened to each email; the dispatcher sends requeued ones at its next poll',
      content: { 'application/json': { schema: Result, example: resendExample } },
    },
    ...errorResponses(400, 401, 404, 409, 413, 422),
  },
  async handle(r) {
    const { invoiceId } = r.params;
    const kind = r.header('content-type')?.includes('application/json') ? r.body.kind : undefined;
    const { db } = r.deps;
    try {
      const result = await resendInvoiceEmails(db, billingEmailResolver(db), { stripeInvoiceId: invoiceId, kind });
      if (result.emails.every((e) => e.outcome === 'already_sent' || e.outcome === 'in_flight')) {
        throw new ApiError(
          'CONFLICT',
          `Nothing to re-send for ${invoiceId}: ${result.emails.map((e) => `${e.kind} ${e.outcome}`).join(', ')}`,
          result,
        );
      }
      return result;
    } catch (err) {
      if (!(err instanceof ResendError)) throw err;
      throw new ApiError(err.reason === 'invoice_not_found' ? 'NOT_FOUND' : 'CONFLICT', err.message, {
        reason: err.reason,
      });
    }
  },
});
