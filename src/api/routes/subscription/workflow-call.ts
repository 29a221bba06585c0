import { findCurrentSubscription, type SubscriptionApiView } from '../../../db/read-models/subscriptions';
import { effectivePlan } from '../../../domain/effective-plan';
import { configuredSubscriptionClient, type SubscriptionClient } from '../../../subscriptions/client';
import type { EndpointRequest } from '../../endpoint';
import { toApiError } from '../../workflow-errors';

/** The subscription client and the caller's own organization: the organization comes from the token only. */
export function ownSubscription(r: EndpointRequest): { subscriptions: SubscriptionClient; organizationId: string } {
  const { temporal, config } = r.deps;
  return { subscriptions: configuredSubscriptionClient(temporal, config), organizationId: r.principal.organizationId };
}

/** Runs a Temporal call, mapping its failures to API errors. */
export async function callWorkflow<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toApiError(err);
  }
}

/**
 * The response of every mutation: the read model after the update. The workflow projects its state
 * before an update returns, so this already shows the change, in the same shape as GET /subscription.
 */
export async function subscriptionState(
  r: EndpointRequest,
): Promise<{ subscription: SubscriptionApiView | null; effectivePlan: ReturnType<typeof effectivePlan> }> {
  const subscription = await findCurrentSubscription(r.deps.db, r.principal.organizationId);
  return { subscription, effectivePlan: effectivePlan(subscription) };
}
