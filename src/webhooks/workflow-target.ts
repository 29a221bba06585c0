import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { stripeEventSignal, stripeEventsSignal, subscriptionWorkflowId, type StripeEventSignal } from '../workflows/messages';
import type { subscriptionWorkflow } from '../workflows/subscription-workflow';

export type { StripeEventSignal } from '../workflows/messages';
export { subscriptionWorkflowId } from '../workflows/messages';

/** By name: the API process never loads workflow code, only its type. */
const SUBSCRIPTION_WORKFLOW_TYPE = 'subscriptionWorkflow';

export type DeliveryResult = 'signalled' | 'started_or_signalled' | 'no_live_workflow';

/** Sends to the organization's running workflow; a closed or missing one is reported, not thrown. */
async function sendIfLive(temporal: Client, organizationId: string, send: (workflow: WorkflowHandle) => Promise<void>): Promise<DeliveryResult> {
  try {
    await send(temporal.workflow.getHandle(subscriptionWorkflowId(organizationId)));
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'no_live_workflow';
    throw err;
  }
}

/** Signals the organization's running workflow; a closed or missing one is reported, not thrown. */
export function signalSubscription(temporal: Client, organizationId: string, signal: StripeEventSignal): Promise<DeliveryResult> {
  return sendIfLive(temporal, organizationId, (workflow) => workflow.signal(stripeEventSignal, signal));
}

/**
 * Signal-with-start: a running workflow just receives the signal (its input is ignored); with
 * none running, a new run starts that adopts the Stripe subscription. Temporal's id uniqueness
 * keeps it to one live workflow per organization.
 */
export async function signalOrAdopt(
  temporal: Client,
  taskQueue: string,
  input: { organizationId: string; adopt: { stripeSubscriptionId: string } },
  signal: StripeEventSignal,
): Promise<DeliveryResult> {
  await temporal.workflow.signalWithStart<typeof subscriptionWorkflow, [StripeEventSignal]>(SUBSCRIPTION_WORKFLOW_TYPE, {
    workflowId: subscriptionWorkflowId(input.organizationId),
    taskQueue,
    args: [input],
    signal: stripeEventSignal,
    signalArgs: [signal],
  });
  return 'started_or_signalled';
}

/**
 * Several events of one organization, in `created` order, as one `stripeEvents` signal. With `adopt`
 * (the run holds a `customer.subscription.created`) it is a signal-with-start: a running workflow
 * just receives them, with none running a new run starts that adopts that subscription. Without
 * it, a closed or missing workflow is reported, not thrown.
 */
export async function signalEvents(
  temporal: Client,
  taskQueue: string,
  organizationId: string,
  signals: StripeEventSignal[],
  adopt: { stripeSubscriptionId: string } | undefined,
): Promise<DeliveryResult> {
  if (adopt) {
    await temporal.workflow.signalWithStart<typeof subscriptionWorkflow, [StripeEventSignal[]]>(SUBSCRIPTION_WORKFLOW_TYPE, {
      workflowId: subscriptionWorkflowId(organizationId),
      taskQueue,
      args: [{ organizationId, adopt }],
      signal: stripeEventsSignal,
      signalArgs: [signals],
    });
    return 'started_or_signalled';
  }
  return sendIfLive(temporal, organizationId, (workflow) => workflow.signal(stripeEventsSignal, signals));
}
