import type { BillingPolicy } from '../billing-policy';
import { INVOICE_REMINDER_BEFORE_DUE_MS } from '../contract';
import { INCOMPLETE_WINDOW_MS } from './payment-action';
import type { StateBeforeCoreV2, SubscriptionState } from './state';

export type DeadlineKind =
  | 'trialReminder'
  | 'dunningRetry'
  | 'finalNotice'
  | 'graceEnd'
  | 'upgradeExpiry'
  | 'pauseEnd'
  | 'invoiceReminder'
  | 'invoiceOverdue'
  | 'backstop';

export interface Deadline {
  kind: DeadlineKind;
  at: number;
}

type DeadlineFields = Pick<
  StateBeforeCoreV2,
  | 'status'
  | 'trialEnd'
  | 'trialReminderSentFor'
  | 'cancelAtPeriodEnd'
  | 'dunning'
  | 'backstopAt'
  | 'deferDeadlinesUntil'
  | 'currentPeriodEnd'
  | 'currentPeriodStart'
> &
  Partial<Pick<SubscriptionState, 'pendingUpgrade' | 'pause' | 'invoiceDue'>>;

/**
 * The deadlines the state implies right now, all absolute, earliest first. Period ends and trial ends are
 * Stripe's to act on (it renews, charges or cancels and tells us); the policy owns only its own deadlines and
 * a backstop.
 */
export function pendingDeadlines(s: DeadlineFields, policy: BillingPolicy): Deadline[] {
  const out: Deadline[] = [];
  if (s.status === 'trialing' && s.trialEnd !== null && s.trialReminderSentFor !== s.trialEnd && !s.cancelAtPeriodEnd) {
    out.push({ kind: 'trialReminder', at: s.trialEnd - policy.trial.reminderBeforeEndMs });
  }
  if (s.dunning) {
    if (s.dunning.nextRetryAt !== null) out.push({ kind: 'dunningRetry', at: s.dunning.nextRetryAt });
    if (!s.dunning.finalNoticeSent) out.push({ kind: 'finalNotice', at: s.dunning.schedule.finalNoticeAt });
    out.push({ kind: 'graceEnd', at: s.dunning.schedule.graceEndsAt });
  }
  if (s.pendingUpgrade) out.push({ kind: 'upgradeExpiry', at: s.pendingUpgrade.expiresAt });
  // Collection by invoice: a reminder before the due date, then (still unpaid on it) the overdue notice and grace.
  const due = s.invoiceDue;
  if (due && !s.dunning) {
    if (!due.remindedBefore) out.push({ kind: 'invoiceReminder', at: due.dueAt - INVOICE_REMINDER_BEFORE_DUE_MS });
    out.push({ kind: 'invoiceOverdue', at: due.dueAt });
  }
  // The pause's end is the workflow's own timer (resumes_at is not sent to Stripe: one clock owns the date).
  if (s.status === 'paused' && s.pause?.resumesAt != null) out.push({ kind: 'pauseEnd', at: s.pause.resumesAt });
  if (s.backstopAt !== null) out.push({ kind: 'backstop', at: s.backstopAt });
  const defer = s.deferDeadlinesUntil ?? 0;
  return out.map((d) => ({ kind: d.kind, at: Math.max(d.at, defer) })).sort((a, b) => a.at - b.at);
}

/**
 * Stripe's next own deadline for this subscription: the end of the 23-hour window of an incomplete first payment,
 * the trial end while trialing, else the period end.
 */
function nextStripeDeadline(s: DeadlineFields): number | null {
  if (s.status === 'incomplete' && s.currentPeriodStart !== null) return s.currentPeriodStart + INCOMPLETE_WINDOW_MS;
  if (s.status === 'trialing' && s.trialEnd !== null) return s.trialEnd;
  return s.currentPeriodEnd;
}

/** A backstop some time after Stripe's deadline, or a repeat if that deadline already passed unconfirmed. */
export function backstopFor(s: DeadlineFields, now: number, policy: BillingPolicy): number | null {
  const due = nextStripeDeadline(s);
  if (due === null || s.status === 'none' || s.status === 'canceled') return null;
  // Stripe's own paused status has no period running: nothing is due until someone resumes it (a webhook tells us).
  if (s.pause?.source === 'paused_status') return null;
  const at = due + policy.sync.backstopAfterDeadlineMs;
  return at > now ? at : now + policy.sync.backstopRepeatMs;
}
