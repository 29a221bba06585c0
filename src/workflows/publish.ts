import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PublishedSubscription } from '../domain/subscription';
import { writes } from './activity-proxies';
import {
  BillingDunningAttempt,
  BillingOrganizationId,
  BillingPeriodEnd,
  BillingPlan,
  BillingStatus,
} from './search-attributes';

/**
 * Publishes a committed state: search attributes for the operations console, and the read model behind the
 * API's reads (once there is a Stripe subscription). Awaited before an update returns, so the API reads its
 * own writes. Projections are ordered by (version, history length): two attempts of one workflow task may
 * project the same version with different Stripe reads, and the later attempt (longer history) must win.
 */
export async function publish(p: PublishedSubscription, stateVersion: number): Promise<void> {
  upsertSearchAttributes([
    { key: BillingOrganizationId, value: p.organizationId },
    { key: BillingPlan, value: p.plan },
    { key: BillingStatus, value: p.status },
    { key: BillingDunningAttempt, value: p.dunningAttempt },
    { key: BillingPeriodEnd, value: p.currentPeriodEnd === null ? null : new Date(p.currentPeriodEnd) },
  ]);
  const { workflowId, historyLength } = workflowInfo();
  if (p.stripeSubscriptionId !== null) {
    await writes.projectSubscription({
      ...p,
      stripeSubscriptionId: p.stripeSubscriptionId,
      workflowId,
      stateVersion,
      historyLength,
    });
  }
}
