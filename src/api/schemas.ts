import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from './errors';

/** Response and request shapes shared by several routes; each becomes a named OpenAPI component. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = (...statuses: (400 | 401 | 402 | 403 | 404 | 409 | 413 | 422 | 429 | 502 | 503)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_DESCRIPTIONS[s], content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  );

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_REQUEST: Stripe rejected the request',
  401: 'UNAUTHORIZED: missing, expired or invalid token',
  402: 'CARD_DECLINED: the card was declined; `details.declineCode` says why',
  403: 'FORBIDDEN: the role may not do this',
  404: 'NOT_FOUND',
  409: "CONFLICT: not allowed in the subscription's current state, or Idempotency-Key reuse",
  413: 'PAYLOAD_TOO_LARGE',
  422: 'VALIDATION_FAILED: `details` lists the fields',
  429: 'RATE_LIMIT: slow down; see Retry-After',
  502: 'API_ERROR: the payment provider failed; retry later',
  503: 'SERVICE_UNAVAILABLE: a dependency is down; retry later',
};

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\w.:-]{8,200}$/)
    .optional()
    .openapi({ description: 'Makes the mutation safe to retry: the first response is replayed for repeats' }),
});
