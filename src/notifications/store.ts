import { sql } from 'kysely';
import type { Db } from '../db/database';
import type { EmailOutboxRow, NewEmailOutboxRow } from '../db/schema';

export type OutboxMessage = Pick<
  EmailOutboxRow,
  'id' | 'kind' | 'to_address' | 'subject' | 'text_body' | 'html_body' | 'attempts' | 'dedupe_key'
>;

// Raw: make_interval's named argument has no builder form; the database clock decides what is due.
const afterMs = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

/**
 * Retention: deletes up to `limit` sent emails enqueued more than `retentionDays` ago; returns how many.
 * Failed and undelivered ones stay for operators. Their dedupe keys go with them, so the window must
 * outlast any retry of the activity that enqueued them (minutes to days).
 */
export async function pruneSentMessages(db: Db, retentionDays: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('email_outbox')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('email_outbox')
        .select('id')
        .where('status', '=', 'sent')
        .where('created_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Inserts unless the dedupe key exists; true when this call stored the row. */
export async function insertOutboxMessage(db: Db, row: NewEmailOutboxRow): Promise<boolean> {
  const inserted = await db
    .insertInto('email_outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Claims up to `limit` due messages in one statement: pending rows whose time has come, and `sending`
 * rows whose lease ran out (a dispatcher died mid-send). SKIP LOCKED lets several dispatchers share the
 * table without waiting on each other; the lease keeps a claimed row away from them after commit.
 * The database clock decides what is due, so dispatchers on different hosts agree.
 */
export async function claimDueMessages(db: Db, opts: { limit: number; leaseMs: number }): Promise<OutboxMessage[]> {
  const due = db
    .selectFrom('email_outbox')
    .select('id')
    .where('status', 'in', ['pending', 'sending'])
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .orderBy('next_attempt_at')
    .limit(opts.limit)
    .forUpdate()
    .skipLocked();
  return db
    .updateTable('email_outbox')
    .set((eb) => ({
      status: 'sending',
      attempts: eb('attempts', '+', 1),
      next_attempt_at: afterMs(opts.leaseMs),
      updated_at: sql`now()`,
    }))
    .where('id', 'in', due)
    .returning(['id', 'kind', 'to_address', 'subject', 'text_body', 'html_body', 'attempts', 'dedupe_key'])
    .execute();
}

/** Only a row still in our claim changes: a row re-claimed after an expired lease keeps the newer state. */
function claimed(db: Db, message: Pick<OutboxMessage, 'id' | 'attempts'>) {
  return db
    .updateTable('email_outbox')
    .where('id', '=', message.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', message.attempts);
}

export async function markSent(db: Db, message: Pick<OutboxMessage, 'id' | 'attempts'>): Promise<void> {
  await claimed(db, message)
    .set({ status: 'sent', sent_at: sql`now()`, last_error: null, updated_at: sql`now()` })
    .execute();
}

export async function scheduleRetry(
  db: Db,
  message: Pick<OutboxMessage, 'id' | 'attempts'>,
  error: string,
  delayMs: number,
): Promise<void> {
  await claimed(db, message)
    .set({ status: 'pending', last_error: error, next_attempt_at: afterMs(delayMs), updated_at: sql`now()` })
    .execute();
}

export async function markDead(db: Db, message: Pick<OutboxMessage, 'id' | 'attempts'>, error: string): Promise<void> {
  await claimed(db, message)
    .set({ status: 'failed', last_error: error, updated_at: sql`now()` })
    .execute();
}

/** A failed email goes out again: pending now, attempts reset, to the given address; false when it is no longer failed. */
export async function requeueFailedMessage(db: Db, dedupeKey: string, toAddress: string): Promise<boolean> {
  const reset = await db
    .updateTable('email_outbox')
    .set({ status: 'pending', attempts: 0, to_address: toAddress, next_attempt_at: sql`now()`, updated_at: sql`now()` })
    .where('dedupe_key', '=', dedupeKey)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(reset.numUpdatedRows) > 0;
}

/** A pending email waiting out its backoff is due now; false when it is no longer pending. */
export async function retryMessageNow(db: Db, dedupeKey: string): Promise<boolean> {
  const due = await db
    .updateTable('email_outbox')
    .set({ next_attempt_at: sql`now()`, updated_at: sql`now()` })
    .where('dedupe_key', '=', dedupeKey)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(due.numUpdatedRows) > 0;
}

/** Outbox rows by status (a gauge read at scrape time). */
export function countMessagesByStatus(db: Db) {
  return db
    .selectFrom('email_outbox')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
}
