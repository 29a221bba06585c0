import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { Notifier } from '../notifications/types';
import type { Metrics } from './metrics';
import type { Principal, TokenVerifier } from './middleware/auth';
import type { PreviewLimiter, RateLimiter } from './middleware/rate-limit';

/** A dependency the readiness probe checks; returns normally when reachable. */
export type ReadinessCheck = () => Promise<void>;

/** Everything a route handler may use; handed in by the composition root (src/server.ts). */
export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  tokenVerifier: TokenVerifier;
  rateLimiter: RateLimiter;
  /** Change previews' own per-organization budget (rate and in flight). */
  previewLimiter: PreviewLimiter;
  metrics: Metrics;
  /** Sends usage threshold alerts; without one they are recorded and sent by the catch-up sweep. */
  notifier?: Notifier;
  /** Wakes the webhook relay after an event is stored, so it need not wait for its next poll. */
  webhookRelay?: { nudge(): void };
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    logger: Logger;
    /** Set by requireUser on user-authenticated routes. */
    principal: Principal;
  };
}
