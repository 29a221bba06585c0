import type { ErrorHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { ApiError, ERROR_STATUS, envelope, type ErrorEnvelope } from '../errors';

/** An error as the response the API answers with: status, extra headers and the envelope. */
export interface ErrorResponse {
  status: ContentfulStatusCode;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}

/** The one place errors become responses: known errors keep their code, anything else is a 500 without internals. */
export function errorResponse(err: unknown, requestId: string, logger: Pick<Logger, 'warn' | 'error'>): ErrorResponse {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      headers: { ...err.headers },
      body: envelope(err.code, err.message, requestId, err.details),
    };
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals (malformed JSON 400, wrong Content-Type 415, …) answer with their code's status: one code, one status.
    const code = err.status === 413 ? 'PAYLOAD_TOO_LARGE' : err.status === 401 ? 'UNAUTHORIZED' : 'INVALID_REQUEST';
    return { status: ERROR_STATUS[code], headers: {}, body: envelope(code, err.message || 'Bad request', requestId) };
  }
  if (isStatementTimeout(err)) {
    logger.warn({ err }, 'database statement timed out');
    return {
      status: 503,
      headers: { 'Retry-After': '5' },
      body: envelope('SERVICE_UNAVAILABLE', 'Billing is busy. Please try again shortly.', requestId),
    };
  }
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err }, 'database unavailable');
    return {
      status: 503,
      headers: { 'Retry-After': '5' },
      body: envelope('SERVICE_UNAVAILABLE', 'Billing is temporarily unavailable. Please try again shortly.', requestId),
    };
  }
  logger.error({ err }, 'unhandled error');
  return {
    status: 500,
    headers: {},
    body: envelope('UNKNOWN_ERROR', 'An unexpected error occurred. Please contact support.', requestId),
  };
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const { status, headers, body } = errorResponse(err, c.get('requestId') ?? 'unknown', c.get('logger') ?? console);
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
  return c.json(body, status);
};

/** A statement Postgres cancelled at the pool's statement_timeout (query_canceled): the database is busy, retry. */
export function isStatementTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '57014';
}

/** Postgres unreachable, restarting or shutting down: a retryable 503, not an internal error. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  const message = err instanceof Error ? err.message : '';
  return (
    /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    ) ||
    (err instanceof AggregateError && err.errors.some(isDatabaseUnavailable))
  );
}
