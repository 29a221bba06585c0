import { createHash, randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  takeOverAbandonedKey,
} from '../idempotency-store';

const KEY_FORMAT = /^[\w.:-]{8,200}$/;

const stillInProgress = () =>
  new ApiError('CONFLICT', 'A request with this Idempotency-Key is still in progress', undefined, {
    'Retry-After': '1',
  });

declare module 'hono' {
  interface ContextVariableMap {
    /** The Temporal update id: the operation and the caller's Idempotency-Key (or a fresh one). */
    updateId: string;
  }
}

/**
 * Stripe-style idempotency for mutations, per organization: the first response to a key is stored
 * and replayed for repeats; the same key with another request is a 409. Server errors, rate limits
 * and malformed or invalid requests (400, 422) are not stored, so the caller can retry them with the
 * same key. The workflow update id is the key scoped by the operation (`operation` is the endpoint's
 * `method:path`, with the request's path parameters), which guards the effect even if the stored
 * response is lost (a replayed update returns its recorded outcome) and never lets one key, reused
 * for another operation once its stored response is gone, name an earlier update of the workflow.
 * A key left `in_progress` longer than IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS (its instance crashed
 * before storing an answer) is taken over by the same request instead of answering 409 forever.
 */
export function idempotency(operation: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('idempotency-key');
    if (header !== undefined && !KEY_FORMAT.test(header)) {
      throw new ApiError('VALIDATION_FAILED', 'Idempotency-Key must be 8-200 characters of [A-Za-z0-9_.:-]');
    }
    const params = c.req.param() as Record<string, string | undefined>;
    const scope = operation.replaceAll(/{(\w+)}/g, (_, name: string) => params[name] ?? '');
    if (header === undefined) {
      c.set('updateId', `${scope}:auto-${randomUUID()}`);
      return next();
    }
    const { db } = c.get('deps');
    const ref = { organizationId: c.get('principal').organizationId, key: header };
    const body = await c.req.text();
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${c.req.path}?${new URL(c.req.url).search}\n${body}`)
      .digest('hex');

    if (!(await claimIdempotencyKey(db, ref, fingerprint))) {
      const existing = await findIdempotencyKey(db, ref);
      // Gone since the claim failed (the other request was refused and released it): the caller just retries.
      if (!existing) throw stillInProgress();
      if (existing.request_fingerprint !== fingerprint) {
        throw new ApiError('CONFLICT', 'This Idempotency-Key was already used with a different request');
      }
      const abandoned =
        existing.state === 'in_progress' &&
        (await takeOverAbandonedKey(db, ref, fingerprint, c.get('deps').config.idempotency.inProgressExpirySeconds));
      if (!abandoned && (existing.state !== 'completed' || existing.response_status === null)) throw stillInProgress();
      if (!abandoned) {
        c.header('Idempotent-Replayed', 'true');
        return c.json(existing.response_body as object, existing.response_status as 200);
      }
    }

    c.set('updateId', `${scope}:${header}`);
    try {
      await next();
    } finally {
      const status = c.res.status;
      // Like Stripe, a malformed or invalid request (400, 422) is not stored: once fixed it may reuse its key.
      if (status >= 500 || status === 429 || status === 400 || status === 422) {
        await releaseIdempotencyKey(db, ref);
      } else {
        const text = await c.res.clone().text();
        await completeIdempotencyKey(db, ref, { status, body: text || 'null' });
      }
    }
  });
}
