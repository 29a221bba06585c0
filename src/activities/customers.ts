import type {
  AttachPaymentMethodInput,
  CreateSetupIntentInput,
  EnsureCustomerInput,
  CustomerProfileResult,
  EnsureCustomerResult,
  SetupIntentCreated,
  StoredTaxId,
  UpdateCustomerProfileInput,
} from './types';
import type Stripe from 'stripe';
import { diffTaxIds, normalizeTaxIdValue, taxIdKey, type TaxIdType } from '../domain/billing-profile';
import {
  findCustomer,
  insertCustomer,
  recordBillingProfile,
  setMissingCustomerEmail,
} from '../db/read-models/customers';
import type { ActivityDeps } from './deps';
import { idempotencyKey } from '../domain/subscription/stripe';

export function customerActivities(deps: ActivityDeps) {
  const { stripe, db } = deps;
  return {
    /** One Stripe customer per organization, remembered in billing_customers (with its test clock in test mode). */
    async ensureCustomer({ organizationId, email, asOf }: EnsureCustomerInput): Promise<EnsureCustomerResult> {
      const existing = await findCustomer(db, organizationId);
      if (existing) {
        // A card set up before the first subscribe created the customer without an email (the SetupIntent update
        // carries none); the subscribe that names one completes it, in Stripe and where billing notices look.
        // Stripe first: a retried activity finds the row still without one and updates again (same result).
        if (email && !existing.email) {
          await stripe.customers.update(existing.stripe_customer_id, { email });
          await setMissingCustomerEmail(db, organizationId, email);
        }
        return { customerId: existing.stripe_customer_id, testClockId: existing.stripe_test_clock_id };
      }
      const clock = deps.testClocks
        ? await stripe.testHelpers.testClocks.create(
            { frozen_time: Math.floor(asOf / 1000), name: `org ${organizationId}`.slice(0, 300) },
            { idempotencyKey: idempotencyKey.testClock(organizationId) },
          )
        : null;
      const customer = await stripe.customers.create(
        { email, metadata: { organization_id: organizationId }, ...(clock && { test_clock: clock.id }) },
        { idempotencyKey: idempotencyKey.customer(organizationId) },
      );
      await insertCustomer(db, {
        organizationId,
        stripeCustomerId: customer.id,
        testClockId: clock?.id ?? null,
        email: email ?? null,
      });
      return { customerId: customer.id, testClockId: clock?.id ?? null };
    },

    /** A SetupIntent for off-session use: the card is attached to the customer once the customer confirms it. */
    async createSetupIntent({ organizationId, customerId, step }: CreateSetupIntentInput): Promise<SetupIntentCreated> {
      const intent = await stripe.setupIntents.create(
        { customer: customerId, usage: 'off_session', metadata: { organization_id: organizationId } },
        { idempotencyKey: idempotencyKey.setupIntent(customerId, step) },
      );
      if (!intent.client_secret) throw new Error(`SetupIntent ${intent.id} came without a client secret`);
      return { setupIntentId: intent.id, clientSecret: intent.client_secret };
    },

    /**
     * The billing identity onto the Stripe customer: exactly the profile's tax IDs (Stripe has no update for a tax
     * ID: the ones no longer wanted are deleted, new ones created), then email, name and address (an empty string
     * unsets a field, as Stripe documents). The read model records what Stripe answered.
     */
    async updateCustomerProfile({
      organizationId,
      customerId,
      profile,
      step,
    }: UpdateCustomerProfileInput): Promise<CustomerProfileResult> {
      // Tax IDs first: they are what Stripe may refuse (tax_id_invalid). A refusal deletes the ones this step
      // created and changes nothing else, so the customer is never left half-written.
      const current = (await stripe.customers.listTaxIds(customerId, { limit: 100 })).data.map(storedTaxId);
      const { remove, add } = diffTaxIds(current, profile.taxIds);
      const created: StoredTaxId[] = [];
      try {
        for (const id of add) {
          const taxId = await stripe.customers.createTaxId(
            customerId,
            { type: id.type, value: normalizeTaxIdValue(id.value) },
            { idempotencyKey: idempotencyKey.taxId(customerId, step, taxIdKey(id)) },
          );
          created.push(storedTaxId(taxId));
        }
      } catch (err) {
        for (const taxId of created) await deleteTaxId(stripe, customerId, taxId.id);
        throw err;
      }
      for (const id of remove) await deleteTaxId(stripe, customerId, id);
      const a = profile.address;
      const customer = await stripe.customers.update(
        customerId,
        {
          email: profile.email,
          name: profile.legalName ?? '',
          address: a
            ? {
                line1: a.line1,
                line2: a.line2 ?? '',
                city: a.city,
                postal_code: a.postalCode,
                state: a.state ?? '',
                country: a.country,
              }
            : '',
        },
        { idempotencyKey: idempotencyKey.customerProfile(customerId, step) },
      );
      const removed = new Set(remove);
      const result: CustomerProfileResult = {
        email: customer.email ?? profile.email,
        legalName: customer.name ?? null,
        address: a ? { ...a, line2: a.line2 ?? null, state: a.state ?? null } : null,
        taxIds: [...current.filter((t) => !removed.has(t.id)), ...created],
      };
      await recordBillingProfile(db, { organizationId, stripeCustomerId: customerId, profile: result, at: new Date() });
      return result;
    },

    /** Attaches the card and makes it the default for future invoices (and for the subscription, if any). */
    async attachPaymentMethod({
      customerId,
      paymentMethodId,
      subscriptionId,
    }: AttachPaymentMethodInput): Promise<{ paymentMethodId: string }> {
      const attached = await stripe.paymentMethods.attach(
        paymentMethodId,
        { customer: customerId },
        { idempotencyKey: idempotencyKey.attachPaymentMethod(customerId, paymentMethodId) },
      );
      await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: attached.id } });
      if (subscriptionId) await stripe.subscriptions.update(subscriptionId, { default_payment_method: attached.id });
      return { paymentMethodId: attached.id };
    },
  };
}

function storedTaxId(t: Stripe.TaxId): StoredTaxId {
  return {
    id: t.id,
    // A type this service does not offer (set in the Dashboard) is kept as Stripe has it: listed, and deleted when
    // the profile written through the API no longer has it.
    type: t.type as TaxIdType,
    value: t.value,
    country: t.country ?? null,
    verification: t.verification?.status ?? null,
  };
}

/** Deleting a tax ID that is already gone (a retried step) is done, not a failure. */
async function deleteTaxId(stripe: Stripe, customerId: string, id: string): Promise<void> {
  try {
    await stripe.customers.deleteTaxId(customerId, id);
  } catch (err) {
    if ((err as { code?: string }).code !== 'resource_missing') throw err;
  }
}
