import type { Db } from '../db/database';
import { calendarMonth } from '../domain/usage-periods';
import { createUsagePartitions, dropUsagePartition, usagePartitionNames } from './store';

/** Months (by their UTC start) whose partitions this process knows exist, per database handle. */
const known = new WeakMap<Db, Set<number>>();

function partitionName(monthStart: number): string {
  const d = new Date(monthStart);
  return `usage_events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Creates the monthly partitions of usage_events covering `instants` if missing. Cheap after the first
 * call per month (an in-memory set); concurrent creators serialize on an advisory lock because
 * CREATE TABLE IF NOT EXISTS alone can still collide in the catalog.
 */
export async function ensureUsagePartitions(db: Db, instants: Iterable<number>): Promise<void> {
  const seen = known.get(db) ?? new Set<number>();
  known.set(db, seen);
  const months = new Set<number>();
  // The instants of a batch nearly all fall in one month: the month of the previous instant is checked first.
  let month = { start: Number.NaN, end: Number.NaN };
  for (const t of instants) {
    if (t >= month.start && t < month.end) continue;
    month = calendarMonth(t);
    if (!seen.has(month.start)) months.add(month.start);
  }
  if (months.size === 0) return;
  const missing = [...months];
  await createUsagePartitions(
    db,
    missing.map((start) => ({ name: partitionName(start), start, end: calendarMonth(start).end })),
  );
  for (const month of missing) seen.add(month);
}

/**
 * Drops raw-event partitions that ended more than `retentionDays` ago. Aggregates (usage_daily,
 * usage_records) and the dedupe ledger are kept, so reads, billing and "counts once" are unaffected.
 */
export async function applyUsageRetention(db: Db, opts: { now: number; retentionDays: number }): Promise<string[]> {
  const cutoff = opts.now - opts.retentionDays * 86_400_000;
  const dropped: string[] = [];
  for (const name of await usagePartitionNames(db)) {
    const month = /^usage_events_y(\d{4})m(\d{2})$/.exec(name);
    if (!month || Date.UTC(Number(month[1]), Number(month[2]), 1) > cutoff) continue;
    await dropUsagePartition(db, name);
    dropped.push(name);
  }
  known.delete(db);
  return dropped;
}
