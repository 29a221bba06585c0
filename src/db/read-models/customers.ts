import { sql, type Selectable } from 'kysely';
import type { Db } from '../database';
import type { BillingCustomersTable } from '../schema';
import type { BillingAddress } from '../../domain/billing-profile';
import type { CustomerProfileResult, StoredTaxId } from '../../domain/subscription/stripe';
import { applyDefaultFlag } from './payment-methods';

/**
 * The `billing_customers` read model: one Stripe customer per organization (its test clock, its
 * billing email, its default card). This module is its only writer and owns the default card's guard.
 */
export type BillingCustomerRow = Selectable<BillingCustomersTable>;

export interface NewBillingCustomer {
  organizationId: string;
  stripeCustomerId: string;
  testClockId: string | null;
  email: string | null;
}

const toRow = (c: NewBillingCustomer) => ({
  organization_id: c.organizationId,
  stripe_customer_id: c.stripeCustomerId,
  stripe_test_clock_id: c.testClockId,
  email: c.email,
});

export function findCustomer(db: Db, organizationId: string): Promise<BillingCustomerRow | undefined> {
  return db
    .selectFrom('billing_customers')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

/** Records the customer the service created for an organization; the first one recorded stays. */
export async function insertCustomer(db: Db, customer: NewBillingCustomer): Promise<void> {
  await db
    .insertInto('billing_customers')
    .values(toRow(customer))
    .onConflict((oc) => oc.column('organization_id').doNothing())
    .execute();
}

/**
 * Gives a customer recorded without an email (created for a SetupIntent before any subscription) the email a
 * later subscribe names; an email already on file is kept. True when this call set it.
 */
export async function setMissingCustomerEmail(db: Db, organizationId: string, email: string): Promise<boolean> {
  const result = await db
    .updateTable('billing_customers')
    .set({ email, updated_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('email', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records a customer found in Stripe (backfill); a customer or organization already recorded keeps its row. */
export async function adoptCustomer(db: Db, customer: NewBillingCustomer): Promise<void> {
  await db
    .insertInto('billing_customers')
    .values(toRow(customer))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function organizationOfCustomer(db: Db, stripeCustomerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('billing_customers')
    .select('organization_id')
    .where('stripe_customer_id', '=', stripeCustomerId)
    .executeTakeFirst();
  return row?.organization_id ?? null;
}

export async function testClockOfCustomer(db: Db, stripeCustomerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('billing_customers')
    .select('stripe_test_clock_id')
    .where('stripe_customer_id', '=', stripeCustomerId)
    .executeTakeFirst();
  return row?.stripe_test_clock_id ?? null;
}

/** The billing customer's email: the address every billing notice goes to. */
export async function billingEmailOf(db: Db, organizationId: string): Promise<string | null> {
  const row = await db
    .selectFrom('billing_customers')
    .select('email')
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return row?.email ?? null;
}

/**
 * Records the organization's default card from a customer.* event, then flags it among the payment
 * methods. The row remembers the `created` of the event that set it, so an older event arriving late
 * changes nothing (false).
 */
export async function recordDefaultPaymentMethod(
  db: Db,
  input: { organizationId: string; stripeCustomerId: string; defaultPaymentMethodId: string | null; observedAt: Date },
): Promise<boolean> {
  const claimed = await db
    .updateTable('billing_customers')
    .set({ default_payment_method_id: input.defaultPaymentMethodId, default_payment_method_event_at: input.observedAt })
    .where('organization_id', '=', input.organizationId)
    .where('stripe_customer_id', '=', input.stripeCustomerId)
    .where((eb) =>
      eb.or([
        eb('default_payment_method_event_at', 'is', null),
        eb('default_payment_method_event_at', '<=', input.observedAt),
      ]),
    )
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  await applyDefaultFlag(db, input.organizationId);
  return true;
}

/** The billing identity as the read model holds it (null fields: never set). */
export interface StoredBillingProfile {
  email: string | null;
  legalName: string | null;
  address: BillingAddress | null;
  taxIds: StoredTaxId[];
  updatedAt: Date | null;
}

export function profileOf(row: BillingCustomerRow): StoredBillingProfile {
  return {
    email: row.email,
    legalName: row.legal_name,
    address: (row.address as BillingAddress | null) ?? null,
    taxIds: (row.tax_ids as StoredTaxId[] | null) ?? [],
    updatedAt: row.profile_updated_at,
  };
}

/** Records the profile Stripe now holds for the organization's customer (after updateCustomerProfile). */
export async function recordBillingProfile(
  db: Db,
  input: { organizationId: string; stripeCustomerId: string; profile: CustomerProfileResult; at: Date },
): Promise<void> {
  const { profile } = input;
  await db
    .updateTable('billing_customers')
    .set({
      email: profile.email,
      legal_name: profile.legalName,
      address: profile.address ? JSON.stringify(profile.address) : null,
      tax_ids: JSON.stringify(profile.taxIds),
      profile_updated_at: input.at,
      updated_at: input.at,
    })
    .where('organization_id', '=', input.organizationId)
    .where('stripe_customer_id', '=', input.stripeCustomerId)
    .execute();
}

/**
 * Fills in what a customer adopted from Stripe (backfill, reconciliation) lacks: its email, name and address as
 * Stripe has them. Never overwrites a profile someone wrote through the API.
 */
export async function fillProfileFromStripe(
  db: Db,
  input: { organizationId: string; email: string | null; legalName: string | null; address: BillingAddress | null },
): Promise<boolean> {
  const updated = await db
    .updateTable('billing_customers')
    .set({
      email: sql<string | null>`coalesce(nullif(email, ''), ${input.email})`,
      legal_name: sql<string | null>`coalesce(legal_name, ${input.legalName})`,
      address: sql<string | null>`coalesce(address, ${input.address ? JSON.stringify(input.address) : null}::jsonb)`,
    })
    .where('organization_id', '=', input.organizationId)
    .where('profile_updated_at', 'is', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Customers without a billing email whose profile nobody wrote through the API (reconciliation fills them in). */
export async function billingCustomersMissingProfile(
  db: Db,
  limit = 100,
): Promise<{ organizationId: string; stripeCustomerId: string }[]> {
  const rows = await db
    .selectFrom('billing_customers')
    .select(['organization_id', 'stripe_customer_id'])
    .where((eb) => eb.or([eb('email', 'is', null), eb('email', '=', '')]))
    .where('profile_updated_at', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ organizationId: r.organization_id, stripeCustomerId: r.stripe_customer_id }));
}

/** Organizations whose billing notices have nowhere to go (no billing email), oldest first. */
export async function customersWithoutBillingEmail(
  db: Db,
  limit = 100,
): Promise<{ organizationId: string; stripeCustomerId: string }[]> {
  const rows = await db
    .selectFrom('billing_customers')
    .select(['organization_id', 'stripe_customer_id'])
    .where((eb) => eb.or([eb('email', 'is', null), eb('email', '=', '')]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ organizationId: r.organization_id, stripeCustomerId: r.stripe_customer_id }));
}
