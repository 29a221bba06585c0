import type {
  AttachPaymentMethodInput,
  CreateSetupIntentInput,
  EnsureCustomerInput,
  EnsureCustomerResult,
  SetupIntentCreated,
} from './types';
import { findCustomer, insertCustomer, setMissingCustomerEmail } from '../db/read-models/customers';
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
