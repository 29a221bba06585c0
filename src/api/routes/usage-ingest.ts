import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { ingestUsageEvents } from '../../usage/ingest';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { requireServiceToken } from '../middleware/auth';
import { errorResponses } from '../schemas';

export const MAX_EVENTS_PER_BATCH = 1_000;
const MAX_BODY_BYTES = 512 * 1024;

/** Only other backend services ingest usage: a configured service token, never a user JWT. */
const serviceOnly = createMiddleware<AppEnv>((c, next) => requireServiceToken(c.get('deps').config.auth.usageServiceTokens)(c, next));
const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError('PAYLOAD_TOO_LARGE', `Usage batches are limited to ${MAX_BODY_BYTES} bytes`);
  },
});

const Body = z.object({
  events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_BATCH).openapi({
    description:
      'Up to 1,000 events `{ id, organizationId, metric: messages | api_calls | storage | agents | users, quantity, timestamp }`. ' +
      'Counters (messages, api_calls) add up; gauges (storage MB, agents, users) are readings. Each item is validated on its own; ' +
      'an invalid one is rejected without failing the batch.',
  }),
});

const Result = z
  .object({
    accepted: z.number().int(),
    duplicates: z.array(z.string()).openapi({ description: 'Ids already counted before or earlier in this batch; they changed nothing' }),
    rejected: z.array(z.object({
      index: z.number().int(),
      id: z.string().nullable(),
      reason: z.enum(['invalid_event', 'timestamp_in_future', 'timestamp_too_old', 'before_current_period']),
      message: z.string(),
    })),
  })
  .openapi('UsageIngestResult');

const route = createRoute({
  method: 'post',
  path: '/usage/events',
  tags: ['usage'],
  summary: 'Ingest a batch of usage events (service token)',
  description: 'Idempotent by event id, forever: a replayed batch changes nothing. Answers only after the batch is durable.',
  security: [{ serviceToken: [] }],
  middleware: [serviceOnly, limitBody],
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: {
    200: { description: 'Per-event outcome', content: { 'application/json': { schema: Result } } },
    ...errorResponses(401, 413, 422),
  },
});

export const ingestUsageRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  const deps = c.get('deps');
  const result = await ingestUsageEvents({ db: deps.db, notifier: deps.notifier, logger: c.get('logger'), followStripeTestClocks: deps.config.stripe.testClocks, commitShards: deps.config.usage.commitShards }, c.req.valid('json').events);
  return c.json(result, 200);
});
