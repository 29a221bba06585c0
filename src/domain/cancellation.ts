import { isOperationAllowed, type SubscriptionStatus } from './subscription-status';

export type CancelRejection = 'NoActiveSubscription' | 'AlreadyCanceling';
export type CancelDecision =
  { kind: 'immediate' } | { kind: 'at_period_end' } | { kind: 'rejected'; reason: CancelRejection; message: string };

export interface CancelContext {
  status: SubscriptionStatus;
  cancelAtPeriodEnd: boolean;
}

/**
 * Immediate cancel ends access now (no refund of the current period; nothing is deleted). Cancel at period end
 * keeps access until the period (or trial) ends and is reversible until then. A past_due subscription may be
 * canceled at once; at period end would only prolong dunning, so it is canceled immediately as well.
 */
export function decideCancel(current: CancelContext, atPeriodEnd: boolean): CancelDecision {
  if (!isOperationAllowed(current.status, 'cancel')) {
    return { kind: 'rejected', reason: 'NoActiveSubscription', message: 'there is no live subscription to cancel' };
  }
  if (!atPeriodEnd || current.status === 'past_due' || current.status === 'incomplete') return { kind: 'immediate' };
  if (current.cancelAtPeriodEnd) {
    return {
      kind: 'rejected',
      reason: 'AlreadyCanceling',
      message: 'the subscription is already set to cancel at period end',
    };
  }
  return { kind: 'at_period_end' };
}

export type ResumeDecision =
  | { kind: 'resume'; undoCancel: boolean; undoDowngrade: boolean }
  | { kind: 'rejected'; reason: 'NothingToResume' | 'NoActiveSubscription'; message: string };

/** Resume undoes what is pending: a cancel at period end, a scheduled downgrade, or both. */
export function decideResume(current: CancelContext & { pendingPlan: string | null }): ResumeDecision {
  if (!isOperationAllowed(current.status, 'resume')) {
    return { kind: 'rejected', reason: 'NoActiveSubscription', message: 'there is no live subscription to resume' };
  }
  if (!current.cancelAtPeriodEnd && current.pendingPlan === null) {
    return { kind: 'rejected', reason: 'NothingToResume', message: 'no cancellation or downgrade is pending' };
  }
  return { kind: 'resume', undoCancel: current.cancelAtPeriodEnd, undoDowngrade: current.pendingPlan !== null };
}
