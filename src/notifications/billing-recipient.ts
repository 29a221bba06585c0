import type { Db } from '../db/database';
import { billingEmailOf } from '../db/read-models/customers';

/** The billing customer's email (billing_customers.email): the address every billing notice goes to. */
export function billingEmailResolver(db: Db): (organizationId: string) => Promise<string | null> {
  return (organizationId) => billingEmailOf(db, organizationId);
}
