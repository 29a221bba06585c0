import type { BillingPolicy } from '../domain/billing-policy';
import type { DeclineSeverity, DunningSchedule } from '../domain/dunning';
import { getPlan, type PlanId } from '../domain/plans';
import type { SubscriptionStatus } from '../domain/subscription-status';
import type { SubscriptionView } from './messages';

export interface DunningState {
  invoiceId: string;
  amountDue: number;
  currency: string;
  hostedInvoiceUrl: string | null;
  firstFailureAt: number;
  schedule: DunningSchedule;
  /** Failed payment attempts, the one that started dunning included. */
  failedAttempts: number;
  /** Our own pay calls on this invoice; part of each call's idempotency key. */
  payCalls: number;
  scheduledRetriesDone: number;
  severity: DeclineSeverity;
  lastDeclineCode: string | null;
  nextRetryAt: number | null;
  finalNoticeSent: boolean;
}

/**
 * Everything a run knows, carried whole across continue-as-new. Every deadline is an absolute time here, so a
 * new run rebuilds its timers from state alone.
 */
export interface SubscriptionState {
  organizationId: string;
  status: SubscriptionStatus;
  plan: PlanId;
  pendingPlan: PlanId | null;
  cancelAtPeriodEnd: boolean;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  defaultPaymentMethodId: string | null;
  unitAmount: number;
  currency: string;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  trialEnd: number | null;
  trialReminderSentFor: number | null;
  /** When to ask Stripe ourselves if no event confirmed the renewal or trial end. */
  backstopAt: number | null;
  dunning: DunningState | null;
  /** After a deadline step failed (Stripe unreachable past its retries), deadlines wait until then. */
  deferDeadlinesUntil: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  stateVersion: number;
  /** Bounded, oldest first. */
  seenEventIds: string[];
}

export function initialState(organizationId: string): SubscriptionState {
  return {
    organizationId,
    status: 'none',
    plan: 'free',
    pendingPlan: null,
    cancelAtPeriodEnd: false,
    stripeCustomerId: null,
    stripeSubscriptionId: null,
    defaultPaymentMethodId: null,
    unitAmount: 0,
    currency: getPlan('free').price.currency,
    currentPeriodStart: null,
    currentPeriodEnd: null,
    trialEnd: null,
    trialReminderSentFor: null,
    backstopAt: null,
    dunning: null,
    deferDeadlinesUntil: null,
    canceledAt: null,
    endedAt: null,
    stateVersion: 0,
    seenEventIds: [],
  };
}

export function toView(s: SubscriptionState): SubscriptionView {
  const d = s.dunning;
  return {
    organizationId: s.organizationId,
    status: s.status,
    plan: s.plan,
    pendingPlan: s.pendingPlan,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    stripeCustomerId: s.stripeCustomerId,
    stripeSubscriptionId: s.stripeSubscriptionId,
    defaultPaymentMethodId: s.defaultPaymentMethodId,
    unitAmount: s.unitAmount,
    currency: s.currency,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    trialEnd: s.trialEnd,
    dunning: d && {
      invoiceId: d.invoiceId,
      amountDue: d.amountDue,
      currency: d.currency,
      attempt: d.failedAttempts,
      severity: d.severity,
      lastDeclineCode: d.lastDeclineCode,
      nextRetryAt: d.nextRetryAt,
      finalNoticeAt: d.schedule.finalNoticeAt,
      graceEndsAt: d.schedule.graceEndsAt,
    },
    canceledAt: s.canceledAt,
    endedAt: s.endedAt,
    stateVersion: s.stateVersion,
  };
}

/** Remembers an event id; false when it was seen before. The set is bounded so history stays small. */
export function rememberEvent(s: SubscriptionState, eventId: string, policy: BillingPolicy): boolean {
  if (s.seenEventIds.includes(eventId)) return false;
  s.seenEventIds.push(eventId);
  if (s.seenEventIds.length > policy.seenEventLimit) s.seenEventIds.splice(0, s.seenEventIds.length - policy.seenEventLimit);
  return true;
}
