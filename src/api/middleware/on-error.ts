import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context';
import { ApiError, ERROR_STATUS, envelope } from '../errors';

/** The one place errors become responses: known errors keep their code, anything else is a 500 without internals. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get('requestId') ?? 'unknown';
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
    return c.json(envelope(err.code, err.message, requestId, err.details), err.status);
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals (malformed JSON 400, wrong Content-Type 415, …) answer with their code's status: one code, one status.
    const code = err.status === 413 ? 'PAYLOAD_TOO_LARGE' : err.status === 401 ? 'UNAUTHORIZED' : 'INVALID_REQUEST';
    return c.json(envelope(code, err.message || 'Bad request', requestId), ERROR_STATUS[code]);
  }
  if (isDatabaseUnavailable(err)) {
    (c.get('logger') ?? console).warn({ err }, 'database unavailable');
    c.header('Retry-After', '5');
    return c.json(envelope('SERVICE_UNAVAILABLE', 'Billing is temporarily unavailable. Please try again shortly.', requestId), 503);
  }
  (c.get('logger') ?? console).error({ err }, 'unhandled error');
  return c.json(envelope('UNKNOWN_ERROR', 'An unexpected error occurred. Please contact support.', requestId), 500);
};

/** Postgres unreachable, restarting or shutting down: a retryable 503, not an internal error. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  const message = err instanceof Error ? err.message : '';
  return /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message)
    || (err instanceof AggregateError && err.errors.some(isDatabaseUnavailable));
}
