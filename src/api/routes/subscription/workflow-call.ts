import { WithStartWorkflowOperation } from '@temporalio/client';
import { findCurrentSubscription, type SubscriptionView } from '../../../db/repositories/subscription-view';
import { effectivePlan } from '../../../domain/effective-plan';
import { POLICY_PROFILES } from '../../../domain/policy-profiles';
import type { subscriptionWorkflow } from '../../../workflows/subscription-workflow';
import { subscriptionWorkflowId, type SubscriptionWorkflowInput } from '../../../workflows/messages';
import type { EndpointRequest } from '../../endpoint';
import { toApiError } from '../../workflow-errors';

/** The handle of the caller's own subscription workflow: the organization comes from the token only. */
export function ownSubscriptionHandle(r: EndpointRequest) {
  return r.deps.temporal.workflow.getHandle<typeof subscriptionWorkflow>(subscriptionWorkflowId(r.principal.organizationId));
}

/** Starts the caller's workflow if none is live (update-with-start), so two tabs subscribing reach one run. */
export function startOperation(r: EndpointRequest) {
  const { organizationId } = r.principal;
  const { config } = r.deps;
  const input: SubscriptionWorkflowInput = { organizationId, policy: POLICY_PROFILES[config.policyProfile] };
  return new WithStartWorkflowOperation<typeof subscriptionWorkflow>('subscriptionWorkflow', {
    workflowId: subscriptionWorkflowId(organizationId),
    taskQueue: config.temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
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
export async function subscriptionState(r: EndpointRequest): Promise<{ subscription: SubscriptionView | null; effectivePlan: ReturnType<typeof effectivePlan> }> {
  const subscription = await findCurrentSubscription(r.deps.db, r.principal.organizationId);
  return { subscription, effectivePlan: effectivePlan(subscription) };
}
