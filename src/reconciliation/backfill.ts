import type Stripe from 'stripe';
import { adoptCustomer, fillProfileFromStripe } from '../db/read-models/customers';
import { profileFromStripeCustomer } from './customer-profile';
import { fromStripeStatus } from '../domain/subscription-status';
import { organizationFor, type ReconciliationDeps } from './deps';

export interface BackfillLine {
  subscription: string;
  organizationId: string | null;
  action: 'adopted' | 'would adopt' | 'skipped: no organization';
}

const customerMetadata = (customer: Stripe.Subscription['customer']): Stripe.Metadata | null =>
  typeof customer === 'object' && !customer.deleted ? customer.metadata : null;

/**
 * Starts (or signals) a workflow for every live subscription already in Stripe: the migration
 * path for customers who subscribed before this service. The organization comes from subscription
 * or customer metadata `organization_id`, else the billing customer table. The signal's event id
 * is stable per subscription, so running the backfill twice has no further effect.
 */
export async function backfillSubscriptions(
  deps: ReconciliationDeps,
  opts: { dryRun: boolean; onLine?: (line: BackfillLine, count: number) => void },
): Promise<BackfillLine[]> {
  const lines: BackfillLine[] = [];
  const push = (line: BackfillLine): void => {
    lines.push(line);
    opts.onLine?.(line, lines.length);
  };
  for await (const sub of deps.stripe.subscriptions.list({ status: 'all', limit: 100, expand: ['data.customer'] })) {
    if (fromStripeStatus(sub.status) === 'canceled') continue;
    const customerId = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
    const organizationId = await organizationFor(
      deps.db,
      sub.metadata?.organization_id ? sub.metadata : customerMetadata(sub.customer),
      customerId,
    );
    if (!organizationId) {
      push({ subscription: sub.id, organizationId: null, action: 'skipped: no organization' });
      continue;
    }
    if (opts.dryRun) {
      push({ subscription: sub.id, organizationId, action: 'would adopt' });
      continue;
    }
    // The customer's email, name and address come across, so its invoice emails have somewhere to go.
    const fromStripe = profileFromStripeCustomer(sub.customer);
    await adoptCustomer(deps.db, {
      organizationId,
      stripeCustomerId: customerId,
      testClockId: null,
      email: fromStripe?.email ?? null,
    });
    if (fromStripe) await fillProfileFromStripe(deps.db, { organizationId, ...fromStripe });
    const signal = {
      eventId: `backfill:${sub.id}`,
      type: 'customer.subscription.created',
      objectId: sub.id,
      created: sub.created,
    };
    await deps.subscriptions.adopt(organizationId, { stripeSubscriptionId: sub.id }, signal);
    push({ subscription: sub.id, organizationId, action: 'adopted' });
  }
  return lines;
}
