import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The closed list of error codes the API answers with; part of the public contract. */
export const ERROR_STATUS = {
  // The seed's Stripe-derived codes.
  CARD_DECLINED: 402,
  RATE_LIMIT: 429,
  INVALID_REQUEST: 400,
  API_ERROR: 502,
  UNKNOWN_ERROR: 500,
  // The API's own.
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VALIDATION_FAILED: 422,
  PAYLOAD_TOO_LARGE: 413,
  // Answered by the HTTP server itself (src/api/http-server.ts), before a request reaches a route.
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

export function envelope(code: ErrorCode, message: string, requestId: string, details?: unknown): ErrorEnvelope {
  return { error: { code, message, requestId, ...(details === undefined ? {} : { details }) } };
}

/** A request schema's zod failure as the one VALIDATION_FAILED error (the app's validator hook and every endpoint's request schemas). */
export function requestValidationFailed(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ApiError {
  return new ApiError('VALIDATION_FAILED', 'The request is invalid', {
    issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}
