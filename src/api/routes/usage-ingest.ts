import { z } from '@hono/zod-openapi';
import { USAGE_METRICS } from '../../domain/usage';
import { ingestUsageEvents } from '../../usage/ingest';
import { defineEndpoint, jsonBody } from '../endpoint';
import { ApiError } from '../errors';
import { requireServiceOrganizations } from '../middleware/auth';
import { errorResponses } from '../schemas';
import { usageIngestExample } from '../examples';

export const MAX_EVENTS_PER_BATCH = 1_000;
export const USAGE_BODY_LIMIT_BYTES = 512 * 1024;

/** One event as documented (the batch is checked item by item at run time: src/usage/event-schema.ts). */
export const UsageEventDoc = z
  .object({
    id: z
      .string()
      .openapi({ description: 'Unique per event, forever: 1-128 of [A-Za-z0-9_.:@/-]', example: 'evt_usage_0001' }),
    organizationId: z.string().openapi({ example: 'org_acme' }),
    metric: z.enum(USAGE_METRICS),
    quantity: z.number().int().min(0).max(1_000_000_000).openapi({ example: 3 }),
    timestamp: z.string().openapi({ format: 'date-time', example: '2026-12-05T09:30:00Z' }),
  })
  .openapi('UsageEvent');

const Body = z.object({
  events: z
    .array(z.unknown())
    .min(1)
    .max(MAX_EVENTS_PER_BATCH)
    .openapi({
      items: { $ref: '#/components/schemas/UsageEvent' },
      description:
        'Up to 1,000 events `{ id, organizationId, metric: messages | api_calls | storage | agents | users, quantity, timestamp }`. ' +
        'Counters (messages, api_calls) add up; gauges (storage MB, agents, users) are readings. Each item is validated on its own; ' +
        'an invalid one is rejected without failing the batch.',
    }),
});

const Result = z
  .object({
    accepted: z.number().int(),
    duplicates: z
      .array(z.string())
      .openapi({ description: 'Ids already counted before or earlier in this batch; they changed nothing' }),
    rejected: z.array(
      z.object({
        index: z.number().int(),
        id: z.string().nullable(),
        reason: z.enum(['invalid_event', 'timestamp_in_future', 'timestamp_too_old', 'before_current_period']),
        message: z.string(),
      }),
    ),
  })
  .openapi('UsageIngestResult');

/**
 * Only other backend services ingest usage (a configured service token, never a user JWT). Producers
 * send bursts of thousands of events a second, so the endpoint is also served by the raw node:http
 * adapter (measured: 11-14 ms of API CPU per 1,000 events with it, 17-25 through Hono).
 */
export const ingestUsageEndpoint = defineEndpoint({
  method: 'post',
  path: '/usage/events',
  tags: ['usage'],
  summary: 'Ingest a batch of usage events (service token)',
  description:
    'Idempotent by event id, forever: a replayed batch changes nothing. Answers only after the batch is durable.',
  auth: 'service',
  bodyLimit: {
    maxBytes: USAGE_BODY_LIMIT_BYTES,
    tooLarge: () => new ApiError('PAYLOAD_TOO_LARGE', `Usage batches are limited to ${USAGE_BODY_LIMIT_BYTES} bytes`),
  },
  body: jsonBody(Body),
  responses: {
    200: {
      description: 'Per-event outcome',
      content: { 'application/json': { schema: Result, example: usageIngestExample } },
    },
    ...errorResponses(401, 413, 422),
  },
  nodeAdapter: true,
  handle: (r) => {
    const { deps, logger, body } = r;
    // A token bound to organizations refuses the whole batch when any event names another one: nothing is counted.
    requireServiceOrganizations(deps.config.auth, r.header('authorization'), organizationsNamed(body.events));
    return ingestUsageEvents(
      {
        db: deps.db,
        notifier: deps.notifier,
        logger,
        followStripeTestClocks: deps.config.stripe.testClocks,
        commitShards: deps.config.usage.commitShards,
      },
      body.events,
    );
  },
});

function organizationsNamed(events: readonly unknown[]): Set<string> {
  const ids = new Set<string>();
  for (const e of events) {
    const id = (e as { organizationId?: unknown } | null)?.organizationId;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}
