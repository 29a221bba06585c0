import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { EventTimeRejection } from '../domain/usage';
import type { Notifier } from '../notifications/types';
import { parseUsageEvent, toUsageEvent, type UsageEvent } from './event-schema';
import { usageEventKey } from './batch-totals';
import { commitPlacedEvents } from './group-commit';
import { ensureUsagePartitions } from './partitions';
import { placeEvents, rejectionMessage } from './place-events';
import { cachedUsageContexts } from './snapshot-cache';
import { notifyThresholds } from './threshold-alerts';

export interface IngestDeps {
  db: Db;
  notifier?: Notifier | undefined;
  logger?: Logger | undefined;
  now?: () => number;
  /**
   * Test mode with Stripe test clocks (STRIPE_TEST_CLOCKS=1): an organization whose test clock was moved
   * ahead has a billing period that starts after the real clock; its real-time events count in that period.
   */
  followStripeTestClocks?: boolean;
  /** Group-commit shards (USAGE_COMMIT_SHARDS); src/usage/group-commit.ts's default when unset. */
  commitShards?: number | undefined;
}

export interface EventRejection {
  index: number;
  id: string | null;
  reason: 'invalid_event' | EventTimeRejection;
  message: string;
}

export interface IngestResult {
  accepted: number;
  /** Ids their organization already counted (earlier batches or earlier in this batch); they changed nothing. */
  duplicates: string[];
  rejected: EventRejection[];
}

function idOf(item: unknown): string | null {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 128) : null;
}

/**
 * Validates a batch item by item, stores what may count in one statement (shared with the batches of
 * concurrent requests: group commit, src/usage/group-commit.ts), and answers per event. Returns only
 * after that statement committed (durable); notifications for crossed thresholds follow.
 */
export async function ingestUsageEvents(deps: IngestDeps, items: readonly unknown[]): Promise<IngestResult> {
  const now = (deps.now ?? Date.now)();
  const rejected: EventRejection[] = [];
  const duplicates: string[] = [];
  const events: UsageEvent[] = [];
  const indexOf = new Map<string, number>();
  items.forEach((item, index) => {
    const parsed = parseUsageEvent(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejected.push({
        index,
        id: idOf(item),
        reason: 'invalid_event',
        message: issue ? `${issue.path.join('.') || 'event'}: ${issue.message}` : 'invalid event',
      });
    } else if (indexOf.has(usageEventKey(parsed.data))) {
      duplicates.push(parsed.data.id);
    } else {
      indexOf.set(usageEventKey(parsed.data), index);
      events.push(toUsageEvent(parsed.data));
    }
  });
  const contexts = await cachedUsageContexts(deps.db, [...new Set(events.map((e) => e.organizationId))], now);
  const { placed, rejected: late } = placeEvents(events, contexts, now, {
    followStripeTestClocks: deps.followStripeTestClocks ?? false,
  });
  for (const { event, reason } of late)
    rejected.push({
      index: indexOf.get(usageEventKey(event)) ?? -1,
      id: event.id,
      reason,
      message: rejectionMessage(reason),
    });
  if (placed.length === 0) return { accepted: 0, duplicates, rejected };

  await ensureUsagePartitions(
    deps.db,
    placed.map((e) => e.occurredAt),
  );
  const { acceptedKeys, crossed } = await commitPlacedEvents(deps.db, placed, { shards: deps.commitShards });
  // Ids that were already counted follow the batch's own repeats, in id order (as before group commit).
  duplicates.push(
    ...placed
      .filter((e) => !acceptedKeys.has(usageEventKey(e)))
      .map((e) => e.id)
      .sort(),
  );
  await notifyThresholds(deps, crossed);
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: acceptedKeys.size, duplicates, rejected };
}
