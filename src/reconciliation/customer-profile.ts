import type Stripe from 'stripe';
import { billingCustomersMissingProfile, fillProfileFromStripe } from '../db/read-models/customers';
import { isCountryCode, type BillingAddress } from '../domain/billing-profile';
import type { ReconciliationDeps } from './deps';

/** What a Stripe customer says of its billing identity, as the read model keeps it; null for a deleted one. */
export function profileFromStripeCustomer(
  customer: string | Stripe.Customer | Stripe.DeletedCustomer,
): { email: string | null; legalName: string | null; address: BillingAddress | null } | null {
  if (typeof customer === 'string' || customer.deleted) return null;
  const a = customer.address;
  const address: BillingAddress | null =
    a?.line1 && a.city && a.postal_code && a.country && isCountryCode(a.country)
      ? { line1: a.line1, line2: a.line2, city: a.city, postalCode: a.postal_code, state: a.state, country: a.country }
      : null;
  return { email: customer.email || null, legalName: customer.name || null, address };
}

/**
 * Customers the read model holds without a billing email (adopted before the backfill brought it, or created
 * without one) get the email, name and address Stripe has for them. A profile written through the API is never
 * overwritten; a customer Stripe has no email for stays listed by the health report.
 */
export async function fillMissingBillingProfiles(
  deps: ReconciliationDeps,
): Promise<Array<{ objectId: string; organizationId: string; action: string; fields: string[] }>> {
  const repaired = [];
  for (const row of await billingCustomersMissingProfile(deps.db)) {
    const customer = await deps.stripe.customers.retrieve(row.stripeCustomerId);
    const fromStripe = profileFromStripeCustomer(customer);
    if (!fromStripe?.email) continue;
    if (await fillProfileFromStripe(deps.db, { organizationId: row.organizationId, ...fromStripe }))
      repaired.push({
        objectId: row.stripeCustomerId,
        organizationId: row.organizationId,
        action: 'billing email filled',
        fields: ['email', ...(fromStripe.legalName ? ['name'] : []), ...(fromStripe.address ? ['address'] : [])],
      });
  }
  return repaired;
}
