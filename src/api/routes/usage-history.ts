import { z } from '@hono/zod-openapi';
import { USAGE_METRICS } from '../../domain/usage';
import { usageHistory } from '../../usage/store';
import { defineEndpoint } from '../endpoint';
import { errorResponses } from '../schemas';
import { usageHistoryExample } from '../examples';

export const MAX_RANGE_DAYS = 400;
// ISO-8601 has a year 0000 (1 BC); Postgres' date does not take it in this form, so it is refused here.
const day = z.iso
  .date()
  .refine((d) => d >= '0001-01-01', { message: 'must be 0001-01-01 or later' })
  .openapi({ type: 'string', format: 'date', description: 'A UTC calendar day, YYYY-MM-DD, 0001-01-01 or later' });

const Query = z
  .object({ startDate: day, endDate: day, granularity: z.enum(['day', 'month']).default('day') })
  .refine((q) => q.startDate <= q.endDate, { message: 'startDate must not be after endDate', path: ['endDate'] })
  .refine((q) => Date.parse(q.endDate) - Date.parse(q.startDate) < MAX_RANGE_DAYS * 86_400_000, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['endDate'],
  });

const History = z
  .object({
    startDate: day,
    endDate: day,
    granularity: z.enum(['day', 'month']),
    data: z.array(
      z.object({
        period: z.string().openapi({ description: 'YYYY-MM-DD or YYYY-MM (UTC)' }),
        metric: z.enum(USAGE_METRICS),
        quantity: z.number().openapi({ description: 'Counters: the sum; gauges: the last reading in the bucket' }),
      }),
    ),
  })
  .openapi('UsageHistory');

export const usageHistoryEndpoint = defineEndpoint({
  method: 'get',
  path: '/usage',
  tags: ['usage'],
  summary: "The organization's usage per day or month between two UTC days (inclusive)",
  auth: 'user-read',
  query: Query,
  responses: {
    200: {
      description: 'Buckets with usage; days without usage are omitted',
      content: { 'application/json': { schema: History, example: usageHistoryExample } },
    },
    ...errorResponses(401, 422, 429),
  },
  handle: async ({ deps, principal, query }) => ({
    ...query,
    data: await usageHistory(deps.db, principal.organizationId, query),
  }),
});
