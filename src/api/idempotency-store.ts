import { sql } from 'kysely';
import type { Db } from '../db/database';

/** The API's stored responses by Idempotency-Key (api_idempotency_keys), per organization. */
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

export function findIdempotencyKey(db: Db, ref: KeyRef) {
  return db
    .selectFrom('api_idempotency_keys')
    .selectAll()
    .where('organization_id', '=', ref.organizationId)
    .where('key', '=', ref.key)
    .executeTakeFirstOrThrow();
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
