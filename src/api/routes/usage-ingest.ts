import type { IncomingHttpHeaders } from 'node:http';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import { ingestUsageEvents, type IngestResult } from '../../usage/ingest';
import type { AppDeps, AppEnv } from '../context';
import { ApiError, requestValidationFailed } from '../errors';
import { isServiceAuthorization, requireServiceToken } from '../middleware/auth';
import { errorResponses } from '../schemas';

export const USAGE_EVENTS_PATH = '/api/v1/billing/usage/events';
export const MAX_EVENTS_PER_BATCH = 1_000;
export const USAGE_BODY_LIMIT_BYTES = 512 * 1024;

const tooLarge = () => new ApiError('PAYLOAD_TOO_LARGE', `Usage batches are limited to ${USAGE_BODY_LIMIT_BYTES} bytes`);

/** Only other backend services ingest usage: a configured service token, never a user JWT. */
const serviceOnly = createMiddleware<AppEnv>((c, next) => requireServiceToken(c.get('deps').config.auth.usageServiceTokens)(c, next));
const limitBody = bodyLimit({
  maxSize: USAGE_BODY_LIMIT_BYTES,
  onError: () => {
    throw tooLarge();
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

function ingest(deps: AppDeps, logger: Logger, events: readonly unknown[]): Promise<IngestResult> {
  return ingestUsageEvents({ db: deps.db, notifier: deps.notifier, logger, followStripeTestClocks: deps.config.stripe.testClocks, commitShards: deps.config.usage.commitShards }, events);
}

export const ingestUsageRoute = new OpenAPIHono<AppEnv>().openapi(route, async (c) => c.json(await ingest(c.get('deps'), c.get('logger'), c.req.valid('json').events), 200));

/** Content types both the route's media-type gate and its JSON validator accept (a subset of them). */
const JSON_MEDIA_TYPE = /^application\/json(; ?charset=utf-8)?$/i;

/**
 * Whether the server's direct path (src/api/http-server.ts) takes a batch: a known service token and a
 * JSON body of a declared length within the limit, as producers send them. Any other request goes
 * through this route and its middleware, which answer it (401, 413, 415, …), so those answers have
 * one source.
 */
export function takesUsageBatchDirectly(deps: AppDeps, headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return length !== undefined && /^\d+$/.test(length) && Number(length) <= USAGE_BODY_LIMIT_BYTES
    && JSON_MEDIA_TYPE.test(headers['content-type'] ?? '')
    && isServiceAuthorization(deps.config.auth.usageServiceTokens, headers.authorization);
}

const utf8 = new TextDecoder();

/**
 * The route's work for a body the direct path read: the same JSON parse (UTF-8, a leading BOM dropped,
 * like the Fetch API's `json()` the route's validator uses), the same request schema, the same ingestion.
 */
export async function receiveUsageBatch(deps: AppDeps, raw: Uint8Array | 'too_large', requestId: string): Promise<IngestResult> {
  if (raw === 'too_large') throw tooLarge();
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(raw));
  } catch {
    throw new HTTPException(400, { message: 'Malformed JSON in request body' });
  }
  const body = Body.safeParse(json);
  if (!body.success) throw requestValidationFailed(body.error.issues);
  return ingest(deps, deps.logger.child({ requestId }), body.data.events);
}
