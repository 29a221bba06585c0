import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { INVOICE_EMAIL_KINDS } from '../../../domain/invoice-emails';
import { ResendError, resendInvoiceEmails } from '../../../invoice-delivery';
import { billingEmailResolver } from '../../../notifications/billing-recipient';
import type { AppEnv } from '../../context';
import { ApiError } from '../../errors';
import { requireAdmin } from '../../middleware/admin';
import { limitUserBody } from '../../middleware/guards';
import { errorResponses } from '../../schemas';
import { ADMIN_SECURITY } from './period';

export const stripeInvoiceIdSchema = z.string().regex(/^in_[A-Za-z0-9_]{1,200}$/, 'a Stripe invoice id (in_…)');

const Result = z
  .object({
    stripeInvoiceId: z.string(),
    organizationId: z.string(),
    emails: z.array(z.object({ kind: z.enum(INVOICE_EMAIL_KINDS), outcome: z.enum(['requeued', 'retry_now', 'queued', 'already_sent', 'in_flight']) })),
  })
  .openapi('InvoiceResendResult');

const route = createRoute({
  method: 'post',
  path: '/admin/invoices/{invoiceId}/resend',
  tags: ['admin'],
  summary: "Sends an invoice's undelivered email or receipt again (operators only); a delivered email is never sent twice",
  security: ADMIN_SECURITY,
  middleware: [requireAdmin, limitUserBody],
  request: {
    params: z.object({ invoiceId: stripeInvoiceIdSchema }),
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ kind: z.enum(INVOICE_EMAIL_KINDS).optional().openapi({ description: 'Default: every undelivered one' }) }) } },
    },
  },
  responses: {
    200: { description: 'What happened to each email; the dispatcher sends requeued ones at its next poll', content: { 'application/json': { schema: Result } } },
    ...errorResponses(400, 401, 404, 409, 413, 422),
  },
});

export const resendInvoiceRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const { invoiceId } = c.req.valid('param');
  const kind = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json').kind : undefined;
  const { db } = c.get('deps');
  try {
    const result = await resendInvoiceEmails(db, billingEmailResolver(db), { stripeInvoiceId: invoiceId, kind });
    if (result.emails.every((e) => e.outcome === 'already_sent' || e.outcome === 'in_flight')) {
      throw new ApiError('CONFLICT', `Nothing to re-send for ${invoiceId}: ${result.emails.map((e) => `${e.kind} ${e.outcome}`).join(', ')}`, result);
    }
    return c.json(result, 200);
  } catch (err) {
    if (!(err instanceof ResendError)) throw err;
    throw new ApiError(err.reason === 'invoice_not_found' ? 'NOT_FOUND' : 'CONFLICT', err.message, { reason: err.reason });
  }
});
