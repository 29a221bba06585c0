import type { Logger } from 'pino';
import type Stripe from 'stripe';
import type { Db } from '../db/database';
import { organizationOfCustomer } from '../db/read-models/customers';
import type { SubscriptionClient } from '../subscriptions/client';

export interface ReconciliationDeps {
  db: Db;
  stripe: Stripe;
  /** Signals drifted workflows and adopts untracked subscriptions. */
  subscriptions: SubscriptionClient;
  logger: Logger;
}

export interface PageResult {
  /** Pass as startingAfter for the next page; null when this was the last. */
  next: string | null;
  checked: number;
  repaired: Array<{ objectId: string; organizationId: string | null; action: string; fields: string[] }>;
}

/** Resolves an organization from Stripe metadata, else the billing customer table. */
export async function organizationFor(
  db: Db,
  metadata: Stripe.Metadata | null | undefined,
  customer: string | { id: string } | null,
): Promise<string | null> {
  const fromMetadata = metadata?.organization_id;
  if (fromMetadata) return fromMetadata;
  const customerId = typeof customer === 'string' ? customer : customer?.id;
  if (!customerId) return null;
  return organizationOfCustomer(db, customerId);
}
