import { z } from '@hono/zod-openapi';
import { PLAN_IDS } from '../domain/plans';
import { BILLING_INTERVALS } from '../domain/pricing';
import { SUBSCRIPTION_STATUSES } from '../domain/subscription-status';
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from './errors';

/** An instant, ISO 8601 in UTC (what every timestamp in a response is). */
export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-12-05T09:30:00.000Z' });
export const PlanIdSchema = z.enum(PLAN_IDS).openapi('PlanId');
export const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES).openapi('SubscriptionStatus', {
  description:
    'none (never subscribed) | incomplete (first payment pending) | trialing | active | past_due | paused | canceled',
});
export const BillingIntervalSchema = z.enum(BILLING_INTERVALS).openapi('BillingInterval');
export const ErrorCodeSchema = z
  .enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]])
  .openapi('ErrorCode', { description: 'The closed list of error codes; each has one HTTP status' });
export const CurrencySchema = z.string().openapi({ description: 'ISO 4217, lower case', example: 'usd' });

/** Response and request shapes shared by several routes; each becomes a named OpenAPI component. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error', {
    example: { error: { code: 'VALIDATION_FAILED', message: 'The request is invalid', requestId: 'req_3f2a9c1e-…' } },
  });

type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 422 | 429 | 502 | 503;

export const errorResponses = (...statuses: ErrorStatus[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: ERROR_DESCRIPTIONS[s],
        content: { 'application/json': { schema: ErrorSchema, example: ERROR_EXAMPLES[s] } },
      },
    ]),
  );

const codeFor = (status: ErrorStatus): ErrorCode =>
  ERROR_CODES.find((c) => ERROR_STATUS[c] === status) ?? 'UNKNOWN_ERROR';
const example = (status: ErrorStatus, message: string, details?: unknown) => ({
  error: {
    code: codeFor(status),
    message,
    requestId: 'req_5b0e7c84-1f9a-4d8e-9a47-0c2d3e4f5a6b',
    ...(details === undefined ? {} : { details }),
  },
});

/** One example envelope per status, as the API answers it. */
const ERROR_EXAMPLES: Record<ErrorStatus, unknown> = {
  400: example(400, 'This customer has no attached payment source or default payment method.'),
  401: example(401, 'Missing or invalid bearer token'),
  402: example(402, 'Your card was declined.', { declineCode: 'insufficient_funds' }),
  403: example(403, 'This role may not change billing'),
  404: example(404, 'No route for GET /api/v1/billing/nothing'),
  409: example(409, 'A downgrade is already scheduled; resume first', { reason: 'PendingChangeExists' }),
  413: example(413, 'The request body is too large'),
  422: example(422, 'The request is invalid', { issues: [{ path: 'planId', message: 'Invalid option' }] }),
  429: example(429, 'Too many requests; retry after 12 s'),
  502: example(502, 'Stripe is unavailable; try again later', { reason: 'StripeUnavailable' }),
  503: example(503, 'A dependency is unavailable; try again later'),
};

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
