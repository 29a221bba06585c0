import type { Db } from '../db/database';
import { createGroupCommit, type GroupCommit } from '../db/group-commit';
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

/** Events per statement at most; a larger single batch (≤ 1,000 by the route) still goes alone. */
const MAX_EVENTS_PER_STATEMENT = 4_000;

const aggregateKey = (organizationId: string, metric: string, periodStartMs: number): string =>
  `${organizationId}\u0000${metric}\u0000${periodStartMs}`;

/**
 * Batches submitted while a statement is in flight go together in the next one statement (storePlacedEvents,
 * through src/db/group-commit.ts), so Postgres pays one plan, one commit and one set of aggregate-row locks for
 * many requests; one statement in flight keeps the aggregate rows free of lock waits between statements. An
 * organization's id sent by several waiting batches goes into the statement once, for the first of them; the
 * later ones report it as a duplicate, exactly as if it had been committed by an earlier, separate batch. A
 * deadlock or serialization failure is retried; any other failure of a grouped statement writes each batch alone.
 */
type Committer = GroupCommit<readonly PlacedEvent[], CommittedBatch>;

function createCommitter(db: Db): Committer {
  return createGroupCommit({
    write: (group) => storeGroup(db, group),
    maxSize: MAX_EVENTS_PER_STATEMENT,
    sizeOf: (events) => events.length,
    maxInFlight: 1,
  });
}

async function storeGroup(db: Db, group: readonly (readonly PlacedEvent[])[]): Promise<CommittedBatch[]> {
  const claimedBy = new Map<string, number>();
  const events: PlacedEvent[] = [];
  group.forEach((batch, i) => {
    for (const event of batch) {
      const key = usageEventKey(event);
      if (claimedBy.has(key)) continue;
      claimedBy.set(key, i);
      events.push(event);
    }
  });
  events.sort(byLedgerKey);
  const stored = await retryOnConflict(() => storePlacedEvents(db, events));
  invalidateUsageSnapshots(db, new Set(events.map((e) => e.organizationId)));
  const results: CommittedBatch[] = group.map(() => ({ acceptedKeys: new Set<string>(), crossed: [] }));
  for (const key of stored.acceptedKeys) results[claimedBy.get(key) as number]?.acceptedKeys.add(key);
  if (stored.crossed.length > 0) {
    const firstToTouch = new Map<string, number>();
    group.forEach((batch, i) => {
      for (const event of batch) {
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

/**
 * Shards by organization: each has its own group commit with one statement in flight, so up to `shards`
 * statements run at once (Postgres uses more than one core) without ever waiting on each other's
 * aggregate rows, which belong to one organization each. One shard is the default (USAGE_COMMIT_SHARDS):
 * on a 2-vCPU machine shared by the API and Postgres it gave the same events per second as two with
 * about 10 % less CPU per event on both sides (larger statements, one submit per request, nothing to
 * merge); more shards pay off when Postgres has cores to spare.
 */
export const DEFAULT_COMMIT_SHARDS = 1;
const committers = new WeakMap<Db, Committer[]>();

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
    committers.set(db, (shards = Array.from({ length: count }, () => createCommitter(db))));
  if (count === 1) return (shards[0] as Committer)(events);
  const parts: PlacedEvent[][] = Array.from({ length: count }, () => []);
  for (const event of events) parts[shardOf(event.organizationId, count)]?.push(event);
  const committed = await Promise.all(
    parts.flatMap((part, i) => (part.length > 0 ? [(shards[i] as Committer)(part)] : [])),
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
