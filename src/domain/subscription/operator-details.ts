import type { Deadline, DeadlineKind } from './deadlines';
import type { SubscriptionState } from './state';

/**
 * What an operator reads in the Temporal UI: the workflow's current details (its state in words) and the summary
 * of the timer it waits on. Pure: the workflow sets both before every wait.
 */
type Described = Pick<
  SubscriptionState,
  'status' | 'plan' | 'cancelAtPeriodEnd' | 'currentPeriodEnd' | 'trialEnd' | 'dunning' | 'pendingUpgrade' | 'pause'
>;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const minute = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function retryOf(s: Described): string {
  const d = s.dunning;
  if (!d) return '';
  const total = d.schedule.retryAt.length;
  return `retry ${Math.min(d.scheduledRetriesDone + 1, total)} of ${total}`;
}

/** e.g. `past_due · professional · retry 2 of 4 on 2026-12-09 14:00 UTC · grace ends 2026-12-12`. */
export function currentDetails(s: Described): string {
  const parts: string[] = [s.status, s.plan];
  const d = s.dunning;
  if (d?.action) parts.push('waiting for the customer to authenticate the payment');
  else if (d?.nextRetryAt != null) parts.push(`${retryOf(s)} on ${minute(d.nextRetryAt)}`);
  if (d) parts.push(`grace ends ${day(d.schedule.graceEndsAt)}`);
  if (s.pendingUpgrade) parts.push(`upgrade waits for authentication until ${minute(s.pendingUpgrade.expiresAt)}`);
  if (s.status === 'trialing' && s.trialEnd !== null) parts.push(`trial ends ${day(s.trialEnd)}`);
  if (s.status === 'paused' && s.pause?.resumesAt != null) parts.push(`resumes ${day(s.pause.resumesAt)}`);
  if (s.cancelAtPeriodEnd && s.currentPeriodEnd !== null) parts.push(`ends ${day(s.currentPeriodEnd)}`);
  else if (!d && s.currentPeriodEnd !== null && s.status !== 'canceled' && s.status !== 'none')
    parts.push(`renews ${day(s.currentPeriodEnd)}`);
  return parts.join(' · ');
}

const WAITS_FOR: Record<DeadlineKind, (s: Described) => string> = {
  trialReminder: () => 'trial reminder email',
  dunningRetry: (s) => `dunning ${retryOf(s)}`,
  finalNotice: () => 'final notice before the grace period ends',
  graceEnd: () => 'end of grace: cancel and fall back to free',
  upgradeExpiry: () => 'unauthenticated upgrade expires: roll it back',
  pauseEnd: () => 'end of the pause: resume collection',
  invoiceReminder: () => 'reminder email: the invoice is due in 3 days',
  invoiceOverdue: () => 'invoice due date: overdue notice, then grace as in dunning',
  backstop: () => 'backstop: sync from Stripe if the expected webhook has not come',
};

/** The timer's one-line summary: what the workflow does when it fires. */
export function timerSummary(deadline: Deadline | undefined, s: Described): string {
  return deadline ? WAITS_FOR[deadline.kind](s) : 'idle: no subscription yet, the run ends if nothing comes';
}
