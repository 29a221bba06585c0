import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/*
 * The subscription workflow's public contract as seen from outside it (type, id, signal, adoption
 * input). It mirrors src/workflows/messages.ts; keep the two in step.
 */
export const SUBSCRIPTION_WORKFLOW_TYPE = 'subscriptionWorkflow';
export const STRIPE_EVENT_SIGNAL = 'stripeEvent';

export interface StripeEventSignal {
  eventId: string;
  type: string;
  objectId: string;
  /** Stripe's `created`, epoch seconds. */
  created: number;
}

export interface AdoptSubscriptionInput {
  organizationId: string;
  adopt: { stripeSubscriptionId: string };
}

export const subscriptionWorkflowId = (organizationId: string): string => `subscription:${organizationId}`;

export type DeliveryResult = 'signalled' | 'started_or_signalled' | 'no_live_workflow';

/** Signals the organization's running workflow; a closed or missing one is reported, not thrown. */
export async function signalSubscription(temporal: Client, organizationId: string, signal: StripeEventSignal): Promise<DeliveryResult> {
  try {
    await temporal.workflow.getHandle(subscriptionWorkflowId(organizationId)).signal(STRIPE_EVENT_SIGNAL, signal);
    return 'signalled';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'no_live_workflow';
    throw err;
  }
}

/**
 * Signal-with-start: a running workflow just receives the signal (its input is ignored); with
 * none running, a new run starts that adopts the Stripe subscription. Temporal's id uniqueness
 * keeps it to one live workflow per organization.
 */
export async function signalOrAdopt(
  temporal: Client,
  taskQueue: string,
  input: AdoptSubscriptionInput,
  signal: StripeEventSignal,
): Promise<DeliveryResult> {
  await temporal.workflow.signalWithStart(SUBSCRIPTION_WORKFLOW_TYPE, {
    workflowId: subscriptionWorkflowId(input.organizationId),
    taskQueue,
    args: [input],
    signal: STRIPE_EVENT_SIGNAL,
    signalArgs: [signal],
  });
  return 'started_or_signalled';
}
