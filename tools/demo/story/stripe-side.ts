import type Stripe from 'stripe';
import { z } from 'zod';
import { formatMoney } from '../../../src/domain/money';
import { done, notYet, waitFor, type Observation } from '../wait';
import type { ApiClient, Invoice, SubscriptionState } from '../api-client';
import type { DemoOrg } from './types';

/** A period's invoice that was charged (the trial's $0 invoice is paid too, but charged nothing). */
export const isPaidCycle = (i: Invoice): boolean =>
  i.billingReason === 'subscription_cycle' && i.status === 'paid' && i.amountPaid > 0;

export const usd = (amount: number): string => formatMoney({ amount, currency: 'usd' });
export const day = (iso: string | number | null | undefined): string =>
  iso == null ? '—' : new Date(iso).toISOString().slice(0, 10);

/** The organization's Stripe customer, found by its email (as an operator would in the Dashboard). */
export async function customerOf(stripe: Stripe, org: DemoOrg): Promise<Stripe.Customer> {
  const [customer] = (await stripe.customers.list({ email: org.email, limit: 1 })).data;
  if (!customer) throw new Error(`${org.name} has no Stripe customer (${org.email})`);
  return customer;
}

/** The organization's newest Stripe subscription, whatever its status. */
export async function stripeSubscriptionOf(stripe: Stripe, org: DemoOrg): Promise<Stripe.Subscription> {
  const customer = await customerOf(stripe, org);
  const [subscription] = (
    await stripe.subscriptions.list({
      customer: customer.id,
      status: 'all',
      limit: 1,
      expand: ['data.items.data.price'],
    })
  ).data;
  if (!subscription) throw new Error(`${org.name} has no Stripe subscription`);
  return subscription;
}

/** Waits until the read model (GET /subscription) satisfies `test`; `what` names the condition in errors. */
export function waitForReadModel(
  org: DemoOrg,
  what: string,
  test: (s: SubscriptionState) => boolean,
  timeoutMs = 30_000,
): Promise<SubscriptionState> {
  return waitFor(
    `${org.name}: ${what}`,
    async (): Promise<Observation<SubscriptionState>> => {
      const state = await org.api.getSubscription();
      const s = state.subscription;
      return test(state)
        ? done(state)
        : notYet(
            s
              ? `${s.status} on ${s.plan}, period end ${day(s.currentPeriodEnd)}, dunning attempt ${s.dunningAttempt}`
              : 'no subscription',
          );
    },
    { timeoutMs },
  );
}

/** Waits until the read model lists at least `atLeast` invoices matching `test` (mirrored from Stripe's webhooks); returns the newest. */
export function waitForInvoice(
  api: ApiClient,
  what: string,
  test: (i: Invoice) => boolean,
  atLeast = 1,
  timeoutMs = 30_000,
): Promise<Invoice> {
  return waitFor(
    what,
    async () => {
      const invoices = await api.listInvoices();
      const matching = invoices.filter(test);
      const newest = matching.length >= atLeast ? matching[0] : undefined;
      return newest
        ? done(newest)
        : notYet(
            `${invoices.length} invoices: ${invoices.map((i) => `${i.billingReason}/${i.status}/${i.amountDue}`).join(', ') || 'none'}`,
          );
    },
    { timeoutMs },
  );
}

// Only this endpoint's delivery is read closely: a shared simulator also lists deliveries to endpoints of
// runs that are gone, whose last response is an error text rather than a status code.
const DeliveriesSchema = z.object({ data: z.array(z.object({ eventId: z.string(), url: z.string() }).loose()) });
const DeliverySchema = z.object({ status: z.string(), lastResponse: z.number().nullable().optional() });

/** Waits until the simulator has delivered `eventId` to the API's webhook endpoint and the API answered 2xx. */
export function waitForDelivery(simUrl: string, apiUrl: string, eventId: string): Promise<number> {
  const endpoint = `${apiUrl}/api/v1/billing/webhooks/stripe`;
  return waitFor(`webhook ${eventId} delivered to ${endpoint}`, async () => {
    const res = await fetch(`${simUrl}/_sim/deliveries`);
    const found = DeliveriesSchema.parse(await res.json()).data.find(
      (d) => d.eventId === eventId && d.url === endpoint,
    );
    if (!found) return notYet('no delivery to the API yet');
    const delivery = DeliverySchema.parse(found);
    return delivery.status === 'delivered'
      ? done(delivery.lastResponse ?? 200)
      : notYet(`delivery ${delivery.status}, last response ${delivery.lastResponse ?? 'none'}`);
  });
}

/** Waits for a Stripe event of `type` about `objectId` (Stripe's side of what happened). */
export function waitForStripeEvent(stripe: Stripe, type: string, objectId: string): Promise<Stripe.Event> {
  return waitFor(`Stripe event ${type} for ${objectId}`, async () => {
    const events = (await stripe.events.list({ type, limit: 100 })).data;
    const event = events.find((e) => (e.data.object as { id?: string }).id === objectId);
    return event ? done(event) : notYet(`${events.length} ${type} events, none for ${objectId}`);
  });
}
