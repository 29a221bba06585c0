import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { createOutboxNotifier } from '../../../notifications';
import { billingEmailResolver } from '../../../notifications/billing-recipient';
import { CREDIT_NOTE_REASONS, RefundError, refundInvoice } from '../../../refunds/refund-invoice';
import { createStripeClient, type Stripe } from '../../../stripe/client';
import { classifyStripeError } from '../../../stripe/errors';
import type { Config } from '../../../config';
import { ApiError } from '../../errors';
import { refundExample } from '../../examples';
import { defineEndpoint, jsonBody } from '../../endpoint';
import { USER_BODY_LIMIT } from '../../middleware/guards';
import { errorResponses } from '../../schemas';
import { stripeInvoiceIdSchema } from './resend-invoice';

export const CreditNoteSchema = z
  .object({
    stripeCreditNoteId: z.string(),
    number: z.string(),
    stripeInvoiceId: z.string(),
    organizationId: z.string(),
    currency: z.string(),
    amount: z.number().int(),
    refundedAmount: z.number().int(),
    reason: z.enum(CREDIT_NOTE_REASONS),
    memo: z.string().nullable(),
    pdfUrl: z.string().nullable(),
    actor: z.string().openapi({ description: 'Who issued it (admin:<token fingerprint> or cli:<user>)' }),
    createdAt: z.string().datetime(),
  })
  .openapi('CreditNote');

const Body = z
  .object({
    amount: z
      .number()
      .int()
      .positive()
      .max(99_999_999)
      .optional()
      .openapi({ description: 'Minor units; default: everything still refundable' }),
    reason: z.enum(CREDIT_NOTE_REASONS),
    memo: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

const Headers = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\w.:-]{8,200}$/)
    .openapi({ description: 'Required: a retried refund with the same key refunds once' }),
});

const clients = new WeakMap<Config['stripe'], Stripe>();
const stripeFor = (config: Config): Stripe => {
  let client = clients.get(config.stripe);
  if (!client) clients.set(config.stripe, (client = createStripeClient(config.stripe)));
  return client;
};

/** The operator, as the audit row names them: a fingerprint of their admin token (never the token). */
const actorOf = (authorization: string | undefined): string =>
  `admin:${createHash('sha256')
    .update((authorization ?? '').replace(/^Bearer\s+/i, ''))
    .digest('hex')
    .slice(0, 12)}`;

export const refundInvoiceEndpoint = defineEndpoint({
  method: 'post',
  path: '/admin/invoices/{invoiceId}/refunds',
  tags: ['admin'],
  summary: 'Refund a paid invoice fully or partly through a Stripe credit note (operators only)',
  description:
    'Issues a credit note settled as a refund to the card that paid, records who, when, why and how much, and emails the customer the credit note once. 409 when the invoice is not paid or the amount exceeds what is still refundable (`details.refundable`).',
  auth: 'admin',
  bodyLimit: USER_BODY_LIMIT,
  params: z.object({ invoiceId: stripeInvoiceIdSchema }),
  headers: Headers,
  body: jsonBody(Body),
  status: 201,
  responses: {
    201: {
      description: 'The credit note issued',
      content: { 'application/json': { schema: z.object({ creditNote: CreditNoteSchema }), example: refundExample } },
    },
    ...errorResponses(400, 401, 404, 409, 413, 422, 429, 502),
  },
  async handle(r) {
    const { db, config } = r.deps;
    const notifier = createOutboxNotifier({
      db,
      resolveRecipient: billingEmailResolver(db),
      publicUrl: config.http.publicUrl,
    });
    try {
      const creditNote = await refundInvoice(
        { db, stripe: stripeFor(config), notifier },
        {
          stripeInvoiceId: r.params.invoiceId,
          amount: r.body.amount,
          reason: r.body.reason,
          memo: r.body.memo,
          actor: actorOf(r.header('authorization')),
          idempotencyKey: r.header('idempotency-key') ?? '',
          requestId: r.requestId,
        },
      );
      return { creditNote };
    } catch (err) {
      if (err instanceof RefundError)
        throw new ApiError(err.reason === 'invoice_not_found' ? 'NOT_FOUND' : 'CONFLICT', err.message, {
          reason: err.reason,
          ...err.details,
        });
      const e = classifyStripeError(err);
      if (e.code === 'UNKNOWN_ERROR') throw err;
      throw new ApiError(e.code === 'CARD_DECLINED' ? 'API_ERROR' : e.code, e.message, { stripeCode: e.stripeCode });
    }
  },
});
