/**
 * The lifecycle of one subscription as the workflow sees it. `none` is a run that has not (yet) got a
 * Stripe subscription; `canceled` is terminal: the organization is back on free and the run ends.
 */
export const SUBSCRIPTION_STATUSES = [
  'none',
  'incomplete',
  'trialing',
  'active',
  'past_due',
  'paused',
  'canceled',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export type SubscriptionOperation =
  'subscribe' | 'changePlan' | 'cancel' | 'resume' | 'updatePaymentMethod' | 'extendTrial' | 'pause' | 'unpause';

/**
 * Which operation a status admits. Plan changes wait while a payment is failing: an upgrade would stack a
 * second unpaid invoice on the first and a downgrade would dodge the debt, so the customer fixes the card first.
 */
const ALLOWED: Record<SubscriptionStatus, readonly SubscriptionOperation[]> = {
  none: ['subscribe'],
  incomplete: ['cancel', 'updatePaymentMethod'],
  trialing: ['changePlan', 'cancel', 'resume', 'updatePaymentMethod', 'extendTrial'],
  active: ['changePlan', 'cancel', 'resume', 'updatePaymentMethod', 'pause'],
  past_due: ['cancel', 'resume', 'updatePaymentMethod'],
  // A paused subscription changes nothing but its end: resume (unpause) first to change plan or terms.
  paused: ['cancel', 'resume', 'updatePaymentMethod', 'unpause'],
  canceled: [],
};

export function isOperationAllowed(status: SubscriptionStatus, operation: SubscriptionOperation): boolean {
  return ALLOWED[status].includes(operation);
}

export function isLive(status: SubscriptionStatus): boolean {
  return status !== 'none' && status !== 'canceled';
}

/** Stripe's subscription statuses folded onto ours. */
export function fromStripeStatus(status: string): SubscriptionStatus {
  switch (status) {
    case 'trialing':
    case 'active':
    case 'past_due':
    case 'incomplete':
    case 'canceled':
      return status;
    // Stripe's "unpaid" is past_due with retries exhausted; dunning is ours, so it is still past_due here.
    case 'unpaid':
      return 'past_due';
    case 'incomplete_expired':
      return 'canceled';
    // "paused" only happens when a trial ends without a payment method and the subscription was created
    // elsewhere with end_behavior=pause; ours cancel. Runs before the subscription-pause patch read it as ended
    // access; runs after it read it as a pause (transition.ts) before asking this.
    case 'paused':
      return 'canceled';
    default:
      return 'active';
  }
}
