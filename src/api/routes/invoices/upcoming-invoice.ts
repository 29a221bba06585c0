import { z } from '@hono/zod-openapi';
import { createStripeClient, type Stripe } from '../../../stripe/client';
import { classifyStripeError } from '../../../stripe/errors';
import { previewUpcomingInvoice } from '../../../stripe/upcoming-invoice';
import type { Config } from '../../../config';
import { ApiError } from '../../errors';
import { withinPreviewBudget } from '../../middleware/rate-limit';
import { upcomingInvoiceExample } from '../../examples';
import { defineEndpoint } from '../../endpoint';
import { errorResponses } from '../../schemas';
import { DiscountSchema } from '../subscription/schemas';

const LineSchema = z.object({
  description: z.string().nullable(),
  kind: z.enum(['plan', 'seats', 'add_on', 'overage', 'proration', 'other']),
  amount: z.number().int().openapi({ description: 'Minor units; negative for a credit' }),
  quantity: z.number().int().nullable(),
  periodStart: z.string().datetime(),
  periodEnd: z.string().datetime(),
});

const UpcomingSchema = z
  .object({
    currency: z.string(),
    subtotal: z.number().int(),
    discount: z.number().int().openapi({ description: 'Total of the discounts applied' }),
    discounts: z.array(
      z.object({
        amount: z.number().int().openapi({ description: 'What this discount takes off (minor units)' }),
        discount: DiscountSchema,
      }),
    ),
    tax: z.number().int().openapi({ description: 'Tax Stripe Tax computed (0 without STRIPE_TAX)' }),
    reverseCharge: z
      .boolean()
      .openapi({ description: 'Reverse charge: an EU business customer accounts for the VAT itself (tax 0)' }),
    total: z.number().int(),
    amountDue: z.number().int().openapi({ description: 'What will be charged, after the customer balance' }),
    periodStart: z.string().datetime(),
    periodEnd: z.string().datetime(),
    nextPaymentAttempt: z.string().datetime().nullable(),
    lines: z.array(LineSchema),
  })
  .openapi('UpcomingInvoice');

const clients = new WeakMap<Config['stripe'], Stripe>();
const stripeFor = (config: Config): Stripe => {
  let client = clients.get(config.stripe);
  if (!client) clients.set(config.stripe, (client = createStripeClient(config.stripe)));
  return client;
};

export const upcomingInvoiceEndpoint = defineEndpoint({
  method: 'get',
  path: '/invoices/upcoming',
  tags: ['invoices'],
  summary: 'The next invoice as Stripe would issue it today: renewal lines, prorations, overage so far, discount, tax',
  description:
    'A read of Stripe’s invoice preview for the live subscription (nothing is created). `upcoming` is null when there is no live subscription (or its first payment is still pending) or Stripe has nothing to invoice (`invoice_upcoming_none`). Overage lines hold the usage already reported to Stripe’s meters (the worker reports every OVERAGE_REPORT_INTERVAL_MS).',
  auth: 'user-read',
  responses: {
    200: {
      description: 'The preview, or null',
      content: {
        'application/json': {
          schema: z.object({ upcoming: UpcomingSchema.nullable() }),
          example: upcomingInvoiceExample,
        },
      },
    },
    ...errorResponses(401, 429, 502, 503),
  },
  async handle(r) {
    const { db, config } = r.deps;
    const organizationId = r.principal.organizationId;
    const live = await db
      .selectFrom('subscriptions')
      .innerJoin('billing_customers', 'billing_customers.organization_id', 'subscriptions.organization_id')
      .select(['subscriptions.stripe_subscription_id', 'billing_customers.stripe_customer_id', 'subscriptions.status'])
      .where('subscriptions.organization_id', '=', organizationId)
      .where('subscriptions.ended_at', 'is', null)
      .orderBy('subscriptions.created_at', 'desc')
      .executeTakeFirst();
    const subscriptionId = live?.stripe_subscription_id;
    if (!live || !subscriptionId || live.status === 'incomplete') return { upcoming: null };
    try {
      // Stripe calls for any member: within the organization's preview budget, as change previews are.
      const upcoming = await withinPreviewBudget(r.deps.previewLimiter, organizationId, () =>
        previewUpcomingInvoice(
          stripeFor(config),
          { customerId: live.stripe_customer_id, subscriptionId },
          { stripeTax: config.stripe.tax },
        ),
      );
      return { upcoming };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const e = classifyStripeError(err);
      // Stripe answers invoice_upcoming_none when nothing will be invoiced (a subscription ending at period end).
      if (e.stripeCode === 'invoice_upcoming_none') return { upcoming: null };
      throw new ApiError(e.code === 'RATE_LIMIT' ? 'RATE_LIMIT' : 'API_ERROR', e.message);
    }
  },
});
