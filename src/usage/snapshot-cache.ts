import type { Db } from '../db/database';
import type { UsageMetric } from '../domain/usage';
import { usagePeriodAt, type UsagePeriod } from '../domain/usage-periods';
import { loadUsed } from './store';
import { loadUsageContexts, type UsageContext } from './organization-context';

/** An organization's plan, period and usage as of `loadedAt`. */
export interface UsageSnapshot {
  context: UsageContext;
  period: UsagePeriod;
  used: Map<UsageMetric, number>;
  loadedAt: number;
}

/** How stale a read-only check may be across API instances; writes in this process invalidate at once. */
export const SNAPSHOT_TTL_MS = 1_000;
const MAX_ENTRIES = 100_000;

interface Cache {
  snapshots: Map<string, Promise<UsageSnapshot>>;
  contexts: Map<string, { context: UsageContext; loadedAt: number }>;
}

// Per database handle (like the partition set), so several apps or test schemas in one process never share.
const caches = new WeakMap<Db, Cache>();

function cacheFor(db: Db): Cache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = { snapshots: new Map(), contexts: new Map() }));
  return cache;
}

function bound<V>(map: Map<string, V>): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
}

/** Entitlement checks read this instead of two queries per request; concurrent misses share one load. */
export async function usageSnapshot(db: Db, organizationId: string, now: number): Promise<UsageSnapshot> {
  const { snapshots } = cacheFor(db);
  const cached = snapshots.get(organizationId);
  if (cached) {
    const snapshot = await cached;
    if (now - snapshot.loadedAt < SNAPSHOT_TTL_MS && now < snapshot.period.end) return snapshot;
  }
  const loading = (async () => {
    const context = (await loadUsageContexts(db, [organizationId])).get(organizationId) as UsageContext;
    const period = usagePeriodAt(now, context);
    return { context, period, used: await loadUsed(db, organizationId, period), loadedAt: now };
  })();
  bound(snapshots);
  snapshots.set(organizationId, loading);
  loading.catch(() => snapshots.delete(organizationId));
  return loading;
}

/** Plan and period per organization for ingestion, refreshed after the TTL. */
export async function cachedUsageContexts(
  db: Db,
  organizationIds: readonly string[],
  now: number,
): Promise<Map<string, UsageContext>> {
  const { contexts } = cacheFor(db);
  const result = new Map<string, UsageContext>();
  const missing: string[] = [];
  for (const id of organizationIds) {
    const hit = contexts.get(id);
    if (hit && now - hit.loadedAt < SNAPSHOT_TTL_MS) result.set(id, hit.context);
    else missing.push(id);
  }
  for (const [id, context] of await loadUsageContexts(db, missing)) {
    bound(contexts);
    contexts.set(id, { context, loadedAt: now });
    result.set(id, context);
  }
  return result;
}

/** After usage was recorded in this process: the next check re-reads. */
export function invalidateUsageSnapshots(db: Db, organizationIds: Iterable<string>): void {
  const { snapshots } = cacheFor(db);
  for (const id of organizationIds) snapshots.delete(id);
}
