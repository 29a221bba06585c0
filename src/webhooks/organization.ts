import type { Db } from '../db/database';
import { organizationOfCustomer } from '../db/read-models/customers';
import { organizationOfPaymentMethod } from '../db/read-models/payment-methods';
import { organizationOfCustomerSubscription } from '../db/read-models/subscriptions';
import { customerIdOf, organizationFromMetadata, type InboundEvent } from './stripe-event';

/**
 * The organization an event belongs to, when the cheap insert-time lookup found none: the
 * billing customer (or a subscription for that customer) may have been recorded since, and a
 * detached payment method is known by its own id.
 */
export async function resolveOrganization(db: Db, event: InboundEvent): Promise<string | null> {
  const fromMetadata = organizationFromMetadata(event);
  if (fromMetadata) return fromMetadata;
  const customerId = customerIdOf(event);
  if (customerId) {
    const organizationId =
      (await organizationOfCustomer(db, customerId)) ?? (await organizationOfCustomerSubscription(db, customerId));
    if (organizationId) return organizationId;
  }
  const objectId = event.data.object.id;
  return objectId?.startsWith('pm_') ? organizationOfPaymentMethod(db, objectId) : null;
}
