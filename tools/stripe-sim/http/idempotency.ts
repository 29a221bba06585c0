import { createHash } from 'node:crypto';
import type { SimState } from '../store';
import { StripeApiError } from './errors';

const RETENTION_SECONDS = 24 * 60 * 60;

export interface Replay {
  status: number;
  body: unknown;
}

export function fingerprint(method: string, path: string, body: string): string {
  return createHash('sha256').update(`${method} ${path}\n${body}`).digest('hex');
}

/**
 * Stripe replays the first result for a key (for 24 hours) and rejects the key when it is reused
 * with different parameters.
 */
export function findReplay(state: SimState, key: string, print: string, nowSeconds: number): Replay | undefined {
  const stored = state.idempotency[key];
  if (!stored) return undefined;
  if (nowSeconds - stored.created > RETENTION_SECONDS) {
    delete state.idempotency[key];
    return undefined;
  }
  if (stored.fingerprint !== print) {
    throw new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }
  return { status: stored.status, body: stored.body };
}

/** Results are saved once an endpoint started executing; rejected auth, validation and rate limits are not. */
export function shouldRemember(status: number, body: unknown): boolean {
  if (status === 401 || status === 429) return false;
  const type = (body as { error?: { type?: string; code?: string } }).error;
  return !(status === 400 && type?.type === 'invalid_request_error' && type.code?.startsWith('parameter_'));
}

export function remember(state: SimState, key: string, print: string, replay: Replay, nowSeconds: number): void {
  state.idempotency[key] = { fingerprint: print, status: replay.status, body: replay.body, created: nowSeconds };
}
