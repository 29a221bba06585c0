import type { Db } from '../db/database';
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
    const customer = await db.selectFrom('billing_customers').select('organization_id').where('stripe_customer_id', '=', customerId).executeTakeFirst();
    if (customer) return customer.organization_id;
    const subscription = await db
      .selectFrom('subscriptions')
      .select('organization_id')
      .where('stripe_customer_id', '=', customerId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (subscription) return subscription.organization_id;
  }
  const objectId = event.data.object.id;
  if (objectId?.startsWith('pm_')) {
    const pm = await db.selectFrom('payment_methods').select('organization_id').where('stripe_payment_method_id', '=', objectId).executeTakeFirst();
    if (pm) return pm.organization_id;
  }
  return null;
}
