import { z } from '@hono/zod-openapi';
import { SUCCESS_FIGURES } from '../../../domain/success-targets';
import { buildBillingHealthReport } from '../../../health-report/billing-health';
import { defineEndpoint } from '../../endpoint';
import { errorResponses } from '../../schemas';
import { periodQuery } from './period';
import { healthReportExample } from '../../examples';

const Figure = z.object({
  figure: z.enum(SUCCESS_FIGURES),
  value: z
    .number()
    .nullable()
    .openapi({ description: 'A ratio (0.999 = 99.9 %); null when the period holds nothing to measure' }),
  numerator: z.number().int(),
  denominator: z.number().int(),
  target: z.object({ comparison: z.enum(['>=', '<']), value: z.number() }),
  met: z.boolean().nullable(),
});

const Report = z
  .object({
    range: z.object({ from: z.string(), to: z.string() }),
    figures: z.array(Figure),
    dunningRevenue: z.array(
      z.object({
        currency: z.string(),
        recovered: z.number().int(),
        recoveredInvoices: z.number().int(),
        lost: z.number().int(),
        lostInvoices: z.number().int(),
        recoveryRate: z.number().nullable(),
      }),
    ),
    details: z.object({
      paymentsAwaitingFirstAttemptExcluded: z.literal(true),
      webhookEventsStillFailing: z.number().int(),
      webhookEventsDeadLettered: z.number().int().openapi({
        description: 'Given up by the relay after WEBHOOK_RELAY_MAX_ATTEMPTS failures; see redrive-events',
      }),
      invoiceEmailsFailed: z.number().int(),
      invoiceEmailsPending: z.number().int(),
      invoiceEmailsNotQueued: z.number().int(),
      organizationsWithoutBillingEmail: z
        .array(z.object({ organizationId: z.string(), stripeCustomerId: z.string() }))
        .openapi({ description: 'Customers whose invoice emails cannot be sent (at most 100, oldest first)' }),
    }),
    allTargetsMet: z.boolean().nullable(),
  })
  .openapi('BillingHealthReport');

export const healthReportEndpoint = defineEndpoint({
  method: 'get',
  path: '/admin/health-report',
  tags: ['admin'],
  summary: "The seed's success metrics over a period [from, to), each beside its target (operators only)",
  auth: 'admin',
  query: periodQuery,
  responses: {
    200: {
      description: 'The report',
      content: { 'application/json': { schema: Report, example: healthReportExample } },
    },
    ...errorResponses(401, 422),
  },
  handle: ({ deps, query }) => buildBillingHealthReport(deps.db, query),
});
