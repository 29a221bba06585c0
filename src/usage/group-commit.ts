import type { Db } from '../db/database';
import { byLedgerKey, usageEventKey, type PlacedEvent } from './batch-totals';
import { storePlacedEvents, type CrossedThreshold } from './store';
import { retryOnConflict } from './retry';
import { invalidateUsageSnapshots } from './snapshot-cache';

/** What one submitted batch learns once the statement holding its events committed. */
export interface CommittedBatch {
  /** The events of this batch that this commit claimed (usageEventKey); the rest were already counted. */
  acceptedKeys: Set<string>;
  /** Thresholds crossed by the commit that this batch is the first in its group to touch. */
  crossed: CrossedThreshold[];
}

interface Waiting {
  events: readonly PlacedEvent[];
  resolve: (batch: CommittedBatch) => void;
  reject: (err: unknown) => void;
}

/** Events per statement at most; a larger single batch (≤ 1,000 by the route) still goes alone. */
const MAX_EVENTS_PER_STATEMENT = 4_000;
/** Statements in flight per shard: one keeps its aggregate rows free of lock waits between statements. */
const MAX_IN_FLIGHT = 1;

const aggregateKey = (organizationId: string, metric: string, periodStartMs: number): string =>
  `${organizationId}\u0000${metric}\u0000${periodStartMs}`;

/**
 * Group commit: batches submitted while a statement is in flight wait and then go together in the
 * next one statement (storePlacedEvents), so Postgres pays one plan, one commit and one set of
 * aggregate-row locks for many requests. Each batch's promise settles only after the statement that
 * holds its events committed. An organization's id sent by several waiting batches goes into the statement once, for
 * the first of them; the later ones report it as a duplicate, exactly as if it had been committed by
 * an earlier, separate batch. When a grouped statement fails for a reason other than a deadlock or
 * serialization failure (retried), each batch is retried alone so one cannot fail the others.
 */
class GroupCommitter {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Db) {}

  submit(events: readonly PlacedEvent[]): Promise<CommittedBatch> {
    return new Promise<CommittedBatch>((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const group: Waiting[] = [];
      let size = 0;
      while (this.waiting.length > 0) {
        const next = this.waiting[0] as Waiting;
        if (group.length > 0 && size + next.events.length > MAX_EVENTS_PER_STATEMENT) break;
        group.push(next);
        size += next.events.length;
        this.waiting.shift();
      }
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async commit(group: Waiting[]): Promise<void> {
    try {
      const results = await this.store(group);
      group.forEach((w, i) => w.resolve(results[i] as CommittedBatch));
    } catch (err) {
      if (group.length === 1) {
        group[0]?.reject(err);
        return;
      }
      for (const w of group) {
        try {
          w.resolve(((await this.store([w])) as CommittedBatch[])[0] as CommittedBatch);
        } catch (alone) {
          w.reject(alone);
        }
      }
    }
  }

  private async store(group: readonly Waiting[]): Promise<CommittedBatch[]> {
    const claimedBy = new Map<string, number>();
    const events: PlacedEvent[] = [];
    group.forEach((w, i) => {
      for (const event of w.events) {
        const key = usageEventKey(event);
        if (claimedBy.has(key)) continue;
        claimedBy.set(key, i);
        events.push(event);
      }
    });
    events.sort(byLedgerKey);
    const stored = await retryOnConflict(() => storePlacedEvents(this.db, events));
    invalidateUsageSnapshots(this.db, new Set(events.map((e) => e.organizationId)));
    const results: CommittedBatch[] = group.map(() => ({ acceptedKeys: new Set<string>(), crossed: [] }));
    for (const key of stored.acceptedKeys) results[claimedBy.get(key) as number]?.acceptedKeys.add(key);
    if (stored.crossed.length > 0) {
      const firstToTouch = new Map<string, number>();
      group.forEach((w, i) => {
        for (const event of w.events) {
          const key = aggregateKey(event.organizationId, event.metric, event.periodStart);
          if (!firstToTouch.has(key)) firstToTouch.set(key, i);
        }
      });
      for (const alert of stored.crossed) {
        results[
          firstToTouch.get(aggregateKey(alert.organization_id, alert.metric, Date.parse(alert.period_start))) ?? 0
        ]?.crossed.push(alert);
      }
    }
    return results;
  }
}

/**
 * Shards by organization: each has its own group commit with one statement in flight, so up to `shards`
 * statements run at once (Postgres uses more than one core) without ever waiting on each other's
 * aggregate rows, which belong to one organization each. One shard is the default (USAGE_COMMIT_SHARDS):
 * on a 2-vCPU machine shared by the API and Postgres it gave the same events per second as two with
 * about 10 % less CPU per event on both sides (larger statements, one submit per request, nothing to
 * merge); more shards pay off when Postgres has cores to spare.
 */
export const DEFAULT_COMMIT_SHARDS = 1;
const committers = new WeakMap<Db, GroupCommitter[]>();

function shardOf(organizationId: string, shards: number): number {
  if (shards === 1) return 0;
  let h = 0;
  for (let i = 0; i < organizationId.length; i++) h = (h * 31 + organizationId.charCodeAt(i)) | 0;
  return (h >>> 0) % shards;
}

/**
 * Stores placed events (deduplicated within the batch) through the group commit of `db`; settles once
 * every statement holding a part of them committed. (A batch spread over shards is not one transaction:
 * if one part fails the request fails while the other part may be counted; a retry then finds those ids
 * counted, so every id still counts once.) A different shard count for the same `db` starts a new set
 * of committers; statements in flight on the old set still finish, and the ledger keeps every id once.
 */
export async function commitPlacedEvents(
  db: Db,
  events: readonly PlacedEvent[],
  opts: { shards?: number } = {},
): Promise<CommittedBatch> {
  const count = opts.shards ?? DEFAULT_COMMIT_SHARDS;
  let shards = committers.get(db);
  if (!shards || shards.length !== count)
    committers.set(db, (shards = Array.from({ length: count }, () => new GroupCommitter(db))));
  if (count === 1) return (shards[0] as GroupCommitter).submit(events);
  const parts: PlacedEvent[][] = Array.from({ length: count }, () => []);
  for (const event of events) parts[shardOf(event.organizationId, count)]?.push(event);
  const committed = await Promise.all(
    parts.flatMap((part, i) => (part.length > 0 ? [(shards[i] as GroupCommitter).submit(part)] : [])),
  );
  if (committed.length === 1) return committed[0] as CommittedBatch;
  const acceptedKeys = new Set<string>();
  const crossed: CrossedThreshold[] = [];
  for (const part of committed) {
    for (const key of part.acceptedKeys) acceptedKeys.add(key);
    crossed.push(...part.crossed);
  }
  return { acceptedKeys, crossed };
}
