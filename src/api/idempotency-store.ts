import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * The API's stored responses by Idempotency-Key (api_idempotency_keys), per organization. `created_at`
 * is when the key was last claimed (its first request, or a takeover of an abandoned one).
 */
interface KeyRef {
  organizationId: string;
  key: string;
}

/** Claims the key for a request; false when it was claimed before (a repeat, or another request with the key). */
export async function claimIdempotencyKey(db: Db, ref: KeyRef, fingerprint: string): Promise<boolean> {
  const inserted = await db
    .insertInto('api_idempotency_keys')
    .values({ organization_id: ref.organizationId, key: ref.key, request_fingerprint: fingerprint })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The stored key; undefined when it went between a failed claim and this read (released, or pruned by retention). */
export function findIdempotencyKey(db: Db, ref: KeyRef) {
  return db
    .selectFrom('api_idempotency_keys')
    .selectAll()
    .where('organization_id', '=', ref.organizationId)
    .where('key', '=', ref.key)
    .executeTakeFirst();
}

/**
 * Takes over a key whose request has been in progress longer than `expirySeconds` (the instance that
 * claimed it died before storing an answer): true when this request now holds it. One statement, so
 * of two concurrent retries only one takes it; the other still sees it in progress.
 */
export async function takeOverAbandonedKey(
  db: Db,
  ref: KeyRef,
  fingerprint: string,
  expirySeconds: number,
): Promise<boolean> {
  const taken = await db
    .updateTable('api_idempotency_keys')
    .set({ created_at: sql`now()` })
    .where('organization_id', '=', ref.organizationId)
    .where('key', '=', ref.key)
    .where('state', '=', 'in_progress')
    .where('request_fingerprint', '=', fingerprint)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${expirySeconds})`)
    .returning('key')
    .executeTakeFirst();
  return taken !== undefined;
}

/**
 * Retention: deletes up to `limit` keys claimed more than `retentionDays` ago (answered or abandoned);
 * returns how many. A key reused after that is a new request (Stripe's rule after its 24 h).
 */
export async function pruneIdempotencyKeys(db: Db, retentionDays: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('api_idempotency_keys')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(
        refTuple('organization_id', 'key'),
        'in',
        selectFrom('api_idempotency_keys')
          .select(['organization_id', 'key'])
          .where('created_at', '<', sql<Date>`now() - make_interval(days => ${retentionDays})`)
          .limit(limit)
          .$asTuple('organization_id', 'key'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Forgets the key, so the caller may retry with it. */
export async function releaseIdempotencyKey(db: Db, ref: KeyRef): Promise<void> {
  await db
    .deleteFrom('api_idempotency_keys')
    .where('organization_id', '=', ref.organizationId)
    .where('key', '=', ref.key)
    .execute();
}

/** Stores the response a repeat of the request will be given. */
export async function completeIdempotencyKey(
  db: Db,
  ref: KeyRef,
  response: { status: number; body: string },
): Promise<void> {
  await db
    .updateTable('api_idempotency_keys')
    .set({
      state: 'completed',
      response_status: response.status,
      response_body: response.body,
      completed_at: sql`now()`,
    })
    .where('organization_id', '=', ref.organizationId)
    .where('key', '=', ref.key)
    .execute();
}
