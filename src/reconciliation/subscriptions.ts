import { findSubscriptionFacts } from '../db/read-models/subscriptions';
import { RECONCILE_EVENT_PREFIX } from '../workflows/messages';
import { organizationFor, type PageResult, type ReconciliationDeps } from './deps';
import { fillMissingBillingProfiles } from './customer-profile';
import { subscriptionDrift } from './drift';

const PAGE_SIZE = 100;

/**
 * One page of Stripe subscriptions against the read model. A drifted one gets a synthetic
 * `stripeEvent` signal (the workflow re-fetches from Stripe and projects); a live one nobody
 * tracks is adopted by signal-with-start. Event ids carry the run key, so a re-run of the same
 * reconciliation is deduplicated by the workflow and a later run is not. The first page also fills in billing
 * emails the read model lacks (fillMissingBillingProfiles).
 */
export async function reconcileSubscriptionsPage(
  deps: ReconciliationDeps,
  input: { runKey: string; startingAfter: string | null },
): Promise<PageResult> {
  const page = await deps.stripe.subscriptions.list({
    status: 'all',
    limit: PAGE_SIZE,
    ...(input.startingAfter ? { starting_after: input.startingAfter } : {}),
  });
  // Once per run (with its first page): customers without a billing email get the one Stripe has.
  const repaired: PageResult['repaired'] = input.startingAfter === null ? await fillMissingBillingProfiles(deps) : [];
  for (const sub of page.data) {
    const row = await findSubscriptionFacts(deps.db, sub.id);
    const drift = subscriptionDrift(sub, row);
    if (drift.kind === 'in_sync') continue;
    const organizationId = row?.organization_id ?? (await organizationFor(deps.db, sub.metadata, sub.customer));
    if (!organizationId) {
      repaired.push({
        objectId: sub.id,
        organizationId: null,
        action: 'skipped: no organization',
        fields: [drift.kind],
      });
      continue;
    }
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (drift.kind === 'untracked') {
      const signal = {
        eventId: `${RECONCILE_EVENT_PREFIX}${input.runKey}:${sub.id}`,
        type: 'customer.subscription.created',
        objectId: sub.id,
        created: nowSeconds,
      };
      await deps.subscriptions.adopt(organizationId, { stripeSubscriptionId: sub.id }, signal);
      repaired.push({ objectId: sub.id, organizationId, action: 'adopted', fields: ['untracked'] });
    } else {
      const signal = {
        eventId: `${RECONCILE_EVENT_PREFIX}${input.runKey}:${sub.id}`,
        type: 'customer.subscription.updated',
        objectId: sub.id,
        created: nowSeconds,
      };
      const delivered = await deps.subscriptions.signalEvent(organizationId, signal);
      repaired.push({
        objectId: sub.id,
        organizationId,
        action: delivered === 'signalled' ? 'signalled' : 'skipped: no live workflow',
        fields: drift.fields,
      });
    }
  }
  const last = page.data.at(-1);
  return { next: page.has_more && last ? last.id : null, checked: page.data.length, repaired };
}
