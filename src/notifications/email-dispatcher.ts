import type { Logger } from 'pino';
import { createPeriodic } from '../background/periodic';
import type { BackgroundService } from '../background/service';
import type { Db } from '../db/database';
import { DEFAULT_EMAIL_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff';
import type { OnNotificationResult } from './outcomes';
import { claimDueMessages, markDead, markSent, scheduleRetry, type OutboxMessage } from './store';
import type { EmailTransport } from './smtp-transport';

export interface EmailDispatcherDeps {
  db: Db;
  transport: EmailTransport;
  /** `Billing <billing@example.com>` (Config.email.from). */
  from: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  batchSize?: number;
  /**
   * Sends in flight at once, each on its own SMTP connection (default 1). One at a time, a renewal storm's emails
   * queued behind the mail server's round trips: 6 a second on the storm bench (bench/README.md).
   */
  concurrency?: number;
  backoff?: BackoffPolicy;
  pollIntervalMs?: number;
  /**
   * How long a claimed row is reserved for this dispatcher. It must outlast a whole batch of sends
   * (each bounded by the transport's timeouts); after it, another dispatcher may send the row again.
   */
  leaseMs?: number;
  onResult?: OnNotificationResult;
}

export interface DispatchSummary {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
}

/** A background service; `stop` resolves after the batch in flight has been sent and recorded. */
export interface EmailDispatcher extends BackgroundService {
  /** Claims one batch of due messages and tries each once. */
  runOnce(): Promise<DispatchSummary>;
}

/** SMTP 5xx replies are permanent (bad mailbox, policy); 4xx replies and connection errors are worth retrying. */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 1_000);
}

function domainOf(from: string): string {
  return /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
}

/**
 * Sends outbox rows over SMTP. Delivery is at-least-once: a row is marked sent right after the server
 * accepts it, so a crash (or a lost database connection) between the server's "250 OK" and that update
 * sends the message again once the claim's lease runs out. The Message-ID is derived from the row id,
 * so such a duplicate carries the same Message-ID and mail clients can fold it away.
 */
export function createEmailDispatcher(deps: EmailDispatcherDeps): EmailDispatcher {
  const batchSize = deps.batchSize ?? 25;
  const concurrency = Math.max(1, Math.min(deps.concurrency ?? 1, batchSize));
  const backoff = deps.backoff ?? DEFAULT_EMAIL_BACKOFF;
  const pollIntervalMs = deps.pollIntervalMs ?? 5_000;
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const messageIdDomain = domainOf(deps.from);

  async function deliver(message: OutboxMessage, summary: DispatchSummary): Promise<void> {
    try {
      await deps.transport.sendMail({
        from: deps.from,
        to: message.to_address ?? undefined,
        subject: message.subject,
        text: message.text_body,
        html: message.html_body ?? undefined,
        messageId: `<outbox-${message.id}@${messageIdDomain}>`,
        headers: { 'X-Billing-Notification': message.kind },
      });
    } catch (err) {
      const error = describe(err);
      if (isPermanent(err) || message.attempts >= backoff.maxAttempts) {
        await markDead(deps.db, message, error);
        summary.dead += 1;
        deps.onResult?.(message.kind, 'dead');
        deps.logger?.error(
          { outboxId: message.id, kind: message.kind, attempts: message.attempts, error },
          'email given up',
        );
      } else {
        await scheduleRetry(deps.db, message, error, retryDelayMs(backoff, message.attempts));
        summary.retried += 1;
        deps.onResult?.(message.kind, 'retry');
        deps.logger?.warn(
          { outboxId: message.id, kind: message.kind, attempts: message.attempts, error },
          'email send failed; will retry',
        );
      }
      return;
    }
    await markSent(deps.db, message);
    summary.sent += 1;
    deps.onResult?.(message.kind, 'sent');
  }

  async function runOnce(): Promise<DispatchSummary> {
    const batch = await claimDueMessages(deps.db, { limit: batchSize, leaseMs });
    const summary: DispatchSummary = { claimed: batch.length, sent: 0, retried: 0, dead: 0 };
    // `concurrency` lanes take the batch's messages in order; every send is recorded before runOnce resolves, and
    // a failed record (the database gone) is thrown after the other lanes finished theirs.
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let message = batch[next++]; message; message = batch[next++]) await deliver(message, summary);
    };
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, batch.length) }, lane));
    const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failed) throw failed.reason;
    return summary;
  }

  const polling = createPeriodic({
    name: 'email-dispatcher',
    // A full batch suggests more is due: go again without waiting.
    round: async () => ({ moreDue: (await runOnce()).claimed === batchSize }),
    intervalMs: pollIntervalMs,
    onError: (err) => deps.logger?.error({ error: describe(err) }, 'email dispatch failed; will poll again'),
  });

  return { name: polling.name, runOnce, start: polling.start, stop: polling.stop };
}
