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
  (c.get('logger') ?? console).error({ err }, 'unhandled error');
  return c.json(envelope('UNKNOWN_ERROR', 'An unexpected error occurred. Please contact support.', requestId), 500);
};
