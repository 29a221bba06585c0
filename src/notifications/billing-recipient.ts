import type { Db } from '../db/database';

/** The billing customer's email (billing_customers.email): the address every billing notice goes to. */
export function billingEmailResolver(db: Db): (organizationId: string) => Promise<string | null> {
  return async (organizationId) => {
    const row = await db
      .selectFrom('billing_customers')
      .select('email')
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();
    return row?.email ?? null;
  };
}
