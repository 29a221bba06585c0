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

/** What an immediate cancel gives back (CANCEL_REFUND): nothing (Stripe's default), or the unused time, prorated. */
export const CANCEL_REFUND_POLICIES = ['none', 'prorated'] as const;
export type CancelRefundPolicy = (typeof CANCEL_REFUND_POLICIES)[number];

/** A line of a paid invoice (a renewal, or the proration of a change: its credit lines are negative). */
export interface PaidLine {
  amount: number;
  periodStart: number;
  periodEnd: number;
  /** Usage billed in arrears (metered overage): already consumed, never refunded. */
  metered: boolean;
}

/**
 * The prorated refund, on one paid invoice, of an immediate cancel at `canceledAt`: each licensed line still running
 * refunds the share of its period left (a negative proration line, the credit of a change, takes its share back),
 * rounded down to the minor unit, scaled by what was actually paid over the subtotal (less with a discount or a
 * customer balance, more with tax), and never more than is still refundable on the invoice (`refundable`: paid less the
 * credit notes already issued), nor less than nothing. Metered lines (usage already consumed) and lines whose
 * period is over refund nothing; a line whose period has not begun refunds in full. A plan changed mid-period is refunded across its two invoices: the
 * renewal's line for the old plan and the change's proration lines add up to the unused time of the new plan.
 */
export function unusedTimeRefund(input: {
  lines: readonly PaidLine[];
  /** The invoice's subtotal: its lines before discounts and tax. */
  linesTotal: number;
  amountPaid: number;
  refundable: number;
  canceledAt: number;
}): number {
  const { lines, linesTotal, amountPaid, refundable, canceledAt } = input;
  if (amountPaid <= 0 || refundable <= 0 || linesTotal <= 0) return 0;
  let unused = 0;
  for (const line of lines) {
    const length = line.periodEnd - line.periodStart;
    if (line.metered || length <= 0) continue;
    if (canceledAt >= line.periodEnd) continue;
    // A period not begun yet (paid ahead) is unused in full.
    unused += (line.amount * (line.periodEnd - Math.max(canceledAt, line.periodStart))) / length;
  }
  // Paid over subtotal: below 1 with a discount or a balance, above 1 with tax (its share is refunded too).
  const paidShare = amountPaid / linesTotal;
  return Math.max(0, Math.min(refundable, Math.floor(unused * paidShare)));
}
