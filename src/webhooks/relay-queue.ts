import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface ClaimedEvent {
  id: string;
  type: string;
  object_id: string | null;
  organization_id: string | null;
  stripe_created_at: Date;
  payload: unknown;
  relay_attempts: number;
  received_at: Date;
}

/**
 * Leases due events: pushing next_attempt_at forward hides them from other relay instances
 * (SKIP LOCKED covers the race of the claim itself), and a crash mid-relay only delays them by
 * the lease. An organization's event waits while an earlier one of the same organization is
 * still pending, so a workflow sees its events in Stripe's `created` order (one per claim).
 */
export async function claimDueEvents(db: Db, opts: { limit: number; leaseSeconds: number }): Promise<ClaimedEvent[]> {
  const { rows } = await sql<ClaimedEvent>`
    update stripe_events set next_attempt_at = now() + make_interval(secs => ${opts.leaseSeconds})
    where id in (
      select e.id from stripe_events e
      where e.relay_status = 'pending' and e.next_attempt_at <= now()
        and not exists (
          select 1 from stripe_events earlier
          where earlier.relay_status = 'pending' and earlier.organization_id = e.organization_id
            and (earlier.stripe_created_at, earlier.id) < (e.stripe_created_at, e.id))
      order by e.stripe_created_at, e.id
      limit ${opts.limit}
      for update skip locked)
    returning id, type, object_id, organization_id, stripe_created_at, payload, relay_attempts, received_at`.execute(db);
  return rows.sort((a, b) => a.stripe_created_at.getTime() - b.stripe_created_at.getTime() || a.id.localeCompare(b.id));
}

export async function markRelayed(db: Db, id: string, organizationId: string): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ relay_status: 'relayed', relayed_at: sql`now()`, organization_id: organizationId, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Kept in the inbox with the reason, so an operator can see why and re-drive it later. */
export async function markIgnored(db: Db, id: string, reason: string, organizationId: string | null): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set({ relay_status: 'ignored', relayed_at: sql`now()`, organization_id: organizationId, last_error: `ignored: ${reason}` })
    .where('id', '=', id)
    .execute();
}

export async function scheduleRetry(db: Db, id: string, error: string, delayMs: number): Promise<void> {
  await db
    .updateTable('stripe_events')
    .set((eb) => ({
      relay_attempts: eb('relay_attempts', '+', 1),
      next_attempt_at: sql`now() + make_interval(secs => ${delayMs / 1000})`,
      last_error: error.slice(0, 2000),
    }))
    .where('id', '=', id)
    .execute();
}

export interface RedriveFilter {
  from: Date;
  to: Date;
  type?: string;
}

/** Makes stored events (by Stripe `created`, half-open range) due again, whatever happened to them before. */
export async function redriveEvents(db: Db, filter: RedriveFilter): Promise<number> {
  let query = db
    .updateTable('stripe_events')
    .set({ relay_status: 'pending', relay_attempts: 0, next_attempt_at: sql`now()`, relayed_at: null, last_error: null })
    .where('stripe_created_at', '>=', filter.from)
    .where('stripe_created_at', '<', filter.to);
  if (filter.type) query = query.where('type', '=', filter.type);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
