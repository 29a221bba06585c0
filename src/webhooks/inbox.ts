import { sql } from 'kysely';
import type { Db } from '../db/database';
import { customerIdOf, organizationFromMetadata, type InboundEvent } from './stripe-event';

export interface StoreResult {
  /** False when the event id was already in the inbox: a redelivery, acknowledged and otherwise ignored. */
  inserted: boolean;
}

/**
 * Stores a verified event, keyed by its Stripe id. One autocommitted statement: when it returns,
 * the row is durable and the 2xx may go out. The organization comes from Stripe metadata or,
 * failing that, from the billing customer in the same statement (no extra round trip); the relay
 * tries again later for events that name neither.
 */
export async function storeEvent(db: Db, event: InboundEvent, rawBody: string): Promise<StoreResult> {
  const metadataOrg = organizationFromMetadata(event);
  const customerId = customerIdOf(event);
  const organization =
    metadataOrg !== null || customerId === null
      ? sql<string | null>`${metadataOrg}::text`
      : sql<string | null>`(select organization_id from billing_customers where stripe_customer_id = ${customerId})`;
  const row = await db
    .insertInto('stripe_events')
    .values({
      id: event.id,
      type: event.type,
      api_version: event.api_version ?? null,
      livemode: event.livemode,
      stripe_created_at: new Date(event.created * 1000),
      object_id: event.data.object.id ?? null,
      organization_id: organization,
      payload: rawBody,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return { inserted: row !== undefined };
}
