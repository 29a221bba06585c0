import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { readBoundedBody } from '../../webhooks/bounded-body';
import { storeEvent } from '../../webhooks/inbox';
import { WebhookRejection, verifyStripeWebhook } from '../../webhooks/verify';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { errorResponses } from '../schemas';

/** Stripe's own events stay far below this; anything larger is refused before it is read in full. */
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

function reject(c: Context<AppEnv>, outcome: string, error: ApiError): never {
  c.get('deps').metrics.webhookOutcomes.inc({ outcome });
  c.get('logger').warn({ outcome, reason: error.message }, 'stripe webhook rejected');
  throw error;
}

const ReceivedSchema = z
  .object({ received: z.literal(true), duplicate: z.boolean().openapi({ description: 'The event id was already stored; nothing else happened' }) })
  .openapi('WebhookReceived');

const receiveStripeEvent = createRoute({
  method: 'post',
  path: '/webhooks/stripe',
  tags: ['webhooks'],
  summary: 'Receive a Stripe event',
  description:
    'Verifies `Stripe-Signature` over the raw body (any configured secret, timestamp tolerance, size limit), stores the event ' +
    'in the inbox keyed by its id and answers once the row is durable. Workflows are signalled asynchronously by the relay.',
  responses: {
    200: { description: 'Stored (or already stored)', content: { 'application/json': { schema: ReceivedSchema } } },
    ...errorResponses(400, 413),
  },
});

export const stripeWebhookRoutes = new OpenAPIHono<AppEnv>().openapi(receiveStripeEvent, async (c) => {
  const deps = c.get('deps');
  // Not hono/body-limit: touching the Request's stream defeats @hono/node-server's fast body path.
  const raw = await readBoundedBody(c.req.raw, c.req.header('content-length'), WEBHOOK_BODY_LIMIT_BYTES);
  if (raw === 'too_large') {
    return reject(c, 'rejected_too_large', new ApiError('PAYLOAD_TOO_LARGE', `Webhook bodies are limited to ${WEBHOOK_BODY_LIMIT_BYTES} bytes`));
  }
  let event;
  try {
    event = verifyStripeWebhook(raw, c.req.header('stripe-signature'), {
      secrets: deps.config.stripe.webhookSecrets,
      toleranceSeconds: deps.config.stripe.webhookToleranceSeconds,
      livemode: deps.config.stripe.livemode,
    });
  } catch (err) {
    if (!(err instanceof WebhookRejection)) throw err;
    return reject(c, `rejected_${err.reason}`, new ApiError('INVALID_REQUEST', err.message, { reason: err.reason }));
  }
  // A view of the bytes, not a copy.
  const { inserted } = await storeEvent(deps.db, event, Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  deps.metrics.webhookOutcomes.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
  if (inserted) deps.webhookRelay?.nudge();
  return c.json({ received: true as const, duplicate: !inserted }, 200);
});
