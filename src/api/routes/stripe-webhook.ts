import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { readBoundedBody } from '../../webhooks/bounded-body';
import { storeEvent } from '../../webhooks/store';
import { WebhookRejection, verifyStripeWebhook } from '../../webhooks/verify';
import type { AppDeps, AppEnv } from '../context';
import { ApiError } from '../errors';
import { errorResponses } from '../schemas';

/** Stripe's own events stay far below this; anything larger is refused before it is read in full. */
export const WEBHOOK_BODY_LIMIT_BYTES = 256 * 1024;

/** What a stored (or already stored) delivery answers. */
export interface WebhookReceipt {
  received: true;
  duplicate: boolean;
}

function reject(deps: AppDeps, requestId: string, outcome: string, error: ApiError): never {
  deps.metrics.webhookOutcomes.inc({ outcome });
  deps.logger.warn({ requestId, outcome, reason: error.message }, 'stripe webhook rejected');
  throw error;
}

/**
 * The endpoint's whole work, shared by the Hono route and the server's direct path for Stripe's
 * deliveries (src/api/http-server.ts): the size limit, the signature, the inbox row. A rejection
 * is counted, logged and thrown as the ApiError it answers with.
 */
export async function receiveStripeDelivery(deps: AppDeps, raw: Uint8Array | 'too_large', signature: string | undefined, requestId: string): Promise<WebhookReceipt> {
  if (raw === 'too_large') {
    return reject(deps, requestId, 'rejected_too_large', new ApiError('PAYLOAD_TOO_LARGE', `Webhook bodies are limited to ${WEBHOOK_BODY_LIMIT_BYTES} bytes`));
  }
  let event;
  try {
    event = verifyStripeWebhook(raw, signature, {
      secrets: deps.config.stripe.webhookSecrets,
      toleranceSeconds: deps.config.stripe.webhookToleranceSeconds,
      livemode: deps.config.stripe.livemode,
    });
  } catch (err) {
    if (!(err instanceof WebhookRejection)) throw err;
    return reject(deps, requestId, `rejected_${err.reason}`, new ApiError('INVALID_REQUEST', err.message, { reason: err.reason }));
  }
  // A view of the bytes, not a copy.
  const { inserted } = await storeEvent(deps.db, event, Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  deps.metrics.webhookOutcomes.inc({ outcome: inserted ? 'accepted' : 'duplicate' });
  if (inserted) deps.webhookRelay?.nudge();
  return { received: true, duplicate: !inserted };
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
  // Not hono/body-limit: touching the Request's stream defeats @hono/node-server's fast body path.
  const raw = await readBoundedBody(c.req.raw, c.req.header('content-length'), WEBHOOK_BODY_LIMIT_BYTES);
  return c.json(await receiveStripeDelivery(c.get('deps'), raw, c.req.header('stripe-signature'), c.get('requestId')), 200);
});
