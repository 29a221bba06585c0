import { preparedQuery, type Db, type PreparedStatement } from '../db/database';
import { customerIdOf, organizationFromMetadata, type InboundEvent } from './stripe-event';

export interface StoreResult {
  /** False when the event id was already in the inbox: a redelivery, acknowledged and otherwise ignored. */
  inserted: boolean;
}

/**
 * Every delivery runs this, so it is a named prepared statement (parsed and planned once per
 * connection, no query building per request). The organization is the one in Stripe metadata
 * ($7) or, failing that, the billing customer's ($8) in the same statement; with neither it is
 * null and the relay tries again later.
 */
const STORE_EVENT: PreparedStatement = {
  name: 'webhooks_store_event_v1',
  text: `insert into stripe_events (id, type, api_version, livemode, stripe_created_at, object_id, organization_id, payload)
    values ($1, $2, $3, $4, to_timestamp($5::bigint), $6,
            coalesce($7::text, (select organization_id from billing_customers where stripe_customer_id = $8::text)), $9::text::jsonb)
    on conflict (id) do nothing
    returning id`,
};

/**
 * Stores a verified event, keyed by its Stripe id. One autocommitted statement: when it returns,
 * the row is durable and the 2xx may go out.
 */
export async function storeEvent(db: Db, event: InboundEvent, rawBody: string): Promise<StoreResult> {
  const metadataOrg = organizationFromMetadata(event);
  const customerId = metadataOrg === null ? customerIdOf(event) : null;
  const rows = await preparedQuery<{ id: string }>(db, STORE_EVENT, [
    event.id,
    event.type,
    event.api_version ?? null,
    event.livemode,
    event.created,
    event.data.object.id ?? null,
    metadataOrg,
    customerId,
    rawBody,
  ]);
  return { inserted: rows.length > 0 };
}
