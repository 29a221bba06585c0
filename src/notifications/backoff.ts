export interface BackoffPolicy {
  /** Delay after the first failed attempt; doubles with each further one. */
  baseMs: number;
  maxMs: number;
  /** After this many failed attempts the message is marked failed (dead) and no longer retried. */
  maxAttempts: number;
}

/** About 30 s, 1, 2, 4 … minutes capped at an hour; eight attempts span roughly an hour and a half. */
export const DEFAULT_EMAIL_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, maxAttempts: 8 };

export function retryDelayMs(policy: BackoffPolicy, attempts: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}
