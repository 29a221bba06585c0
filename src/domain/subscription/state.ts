import type { DiscountView } from '../discounts';
import type { BillingPolicy } from '../billing-policy';
import type { DeclineSeverity, DunningSchedule } from '../dunning';
import { getPlan, type PlanId } from '../plans';
import type { Contract } from '../contract';
import type { PauseBehavior, PauseState } from '../pause';
import { DEFAULT_TERMS, type Terms } from '../pricing';
import type { ScheduledChange } from '../terms-change';
import type { SubscriptionStatus } from '../subscription-status';
import type { PaymentAction } from './payment-action';

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
  /** The invoice waits for the customer to authenticate: no blind retries, the hosted invoice link instead. */
  action?: PaymentAction | null;
}

/** An upgrade whose proration payment needs the customer: Stripe holds it as a pending update until paid or expired. */
export interface PendingUpgrade {
  plan: PlanId;
  invoiceId: string;
  expiresAt: number;
  /** The terms it applies (a change of seats, packs or interval on the same plan); absent for a plan upgrade. */
  terms?: Terms;
}

/**
 * Everything the policy knows about one subscription, carried whole across continue-as-new. Every deadline is
 * an absolute time here, so a new run rebuilds its timers from state alone.
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
  /** After an internal step failed (Stripe unreachable past its retries), deadlines wait until then. */
  deferDeadlinesUntil: number | null;
  canceledAt: number | null;
  endedAt: number | null;
  /** Bumped by every commit; the read model keeps the newest. */
  stateVersion: number;
  /** Bounded, oldest first. */
  seenEventIds: string[];
  /**
   * The last invoice whose dunning ended because it left `open` (paid, voided, uncollectible: Stripe never
   * reopens one). A snapshot read before that (a stale answer) must not start dunning on it again, or its pay
   * calls would reuse the attempt numbers, and so the idempotency keys, of the first round.
   */
  settledInvoiceId: string | null;
  /** A first payment (status incomplete) or an upgrade's payment waiting for the customer. */
  paymentAction: PaymentAction | null;
  pendingUpgrade: PendingUpgrade | null;
  /** What the last publish showed (without the version): a commit that changes nothing publishes nothing. */
  lastPublished: string | null;
  /** Reconciliation found the read model drifted: the next commit publishes even if nothing changed. */
  republish: boolean;
  /** A new billing period started: the run continues as new once it is idle. Not carried. */
  rolloverPending: boolean;
  /** Interval, purchased seats and add-on packs; absent in states carried from before them (= monthly, none). */
  terms?: Terms;
  /** A change held by a Stripe subscription schedule for the period boundary; resume releases it. */
  scheduled?: ScheduledChange | null;
  /**
   * Set by each run from `patched('terms-at-boundary')`: changes at renewal go through a subscription schedule.
   * Runs whose history predates it keep the older path (items swapped at once without proration).
   */
  boundarySchedules?: boolean;
  /** The enterprise contract an operator assigned (price, limits, collection); absent for catalog plans. */
  contract?: Contract | null;
  /** Collection by invoice: the open invoice sent for payment, until paid (absent when charging a card). */
  invoiceDue?: InvoiceDue | null;
  /** A pause in force (status `paused`); absent in states from before pauses. */
  pause?: PauseState | null;
  /**
   * Set by each run from `patched('subscription-pause')`: pause and unpause are accepted, and Stripe's `paused`
   * status and `pause_collection` are read as a pause. Runs whose history predates it read `paused` as ended.
   */
  pauses?: boolean;
  /** The discount on the subscription as last read with its discounts (absent in states from before discounts). */
  discount?: DiscountView | null;
  /**
   * Set by each run from `patched('subscription-discounts')`: a customer's promotion code is accepted at subscribe
   * and by applyDiscount/removeDiscount. Runs whose history predates it refuse them.
   */
  discounts?: boolean;
  /**
   * Set by each run from `patched('contract-moves')`: a live trialing or active subscription can be moved onto an
   * enterprise contract (the contract's subscription created, the old one canceled with its unused time refunded),
   * and Stripe's `invoice.overdue` for the invoice awaited starts the overdue notice and grace at once. Runs whose
   * history predates it refuse the move and wait for their own due-date timer.
   */
  contractMoves?: boolean;
}

/** An invoice sent for payment (contract collected by invoice) and the reminders it has had. */
export interface InvoiceDue {
  invoiceId: string;
  amountDue: number;
  currency: string;
  hostedInvoiceUrl: string | null;
  dueAt: number;
  remindedBefore: boolean;
}

/** The fields the policy core added to the state the first workflow code carried (see upgradeState). */
type AddedInCoreV2 =
  'settledInvoiceId' | 'paymentAction' | 'pendingUpgrade' | 'lastPublished' | 'republish' | 'rolloverPending';
export type StateBeforeCoreV2 = Omit<SubscriptionState, AddedInCoreV2>;

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
    settledInvoiceId: null,
    paymentAction: null,
    pendingUpgrade: null,
    lastPublished: null,
    republish: false,
    rolloverPending: false,
  };
}

/**
 * The state a run starts from: the previous run's (continue-as-new), possibly written by the workflow code before
 * the policy core, whose state lacked the core's own fields; `published` is what that code carried beside it.
 */
export function upgradeState(carried: StateBeforeCoreV2 | SubscriptionState, published?: string): SubscriptionState {
  const lastPublished = 'lastPublished' in carried ? carried.lastPublished : (published ?? null);
  return {
    settledInvoiceId: null,
    paymentAction: null,
    pendingUpgrade: null,
    republish: false,
    ...carried,
    lastPublished,
    rolloverPending: false,
  };
}

/** A copy the transition may change freely (the state is small: the seen-event list is bounded). */
export function draftOf(s: SubscriptionState): SubscriptionState {
  const d = s.dunning;
  return {
    ...s,
    seenEventIds: [...s.seenEventIds],
    dunning: d && { ...d, schedule: { ...d.schedule, retryAt: [...d.schedule.retryAt] } },
    paymentAction: s.paymentAction && { ...s.paymentAction },
    pendingUpgrade: s.pendingUpgrade && { ...s.pendingUpgrade },
    ...(s.scheduled && { scheduled: { ...s.scheduled } }),
    ...(s.pause && { pause: { ...s.pause } }),
    ...(s.invoiceDue && { invoiceDue: { ...s.invoiceDue } }),
  };
}

/** The terms in force (monthly, no seats, no add-ons for states from before them). */
export function termsOf(s: Pick<SubscriptionState, 'terms'>): Terms {
  return s.terms ?? DEFAULT_TERMS;
}

export interface DunningView {
  invoiceId: string;
  amountDue: number;
  currency: string;
  /** Failed payment attempts so far, the first failure included. */
  attempt: number;
  severity: DeclineSeverity;
  lastDeclineCode: string | null;
  /** retrying: our retries are scheduled; action_required: the customer must authenticate; grace: no retries left. */
  phase: DunningPhase;
  /** The phase's next date: the next retry, else the end of grace. */
  nextActionAt: number;
  nextRetryAt: number | null;
  finalNoticeAt: number;
  graceEndsAt: number;
}

export type DunningPhase = 'retrying' | 'action_required' | 'grace';

/** The full state (times are epoch ms); also what every update returns. */
export interface SubscriptionView {
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
  dunning: DunningView | null;
  /** A payment waiting for the customer (first payment, upgrade or renewal): how to complete it. */
  paymentAction: PaymentAction | null;
  /** The plan an upgrade moves to once its payment is authenticated. */
  pendingUpgradePlan: PlanId | null;
  canceledAt: number | null;
  endedAt: number | null;
  stateVersion: number;
  interval: Terms['interval'];
  /** Purchased seats beyond the plan's included ones. */
  seats: number;
  addOns: Terms['addOns'];
  /** What the subscription renews on at the period end, when a change is scheduled (undo with resume). */
  scheduledChange: ScheduledChangeView | null;
  /** While paused: with or without access, and when it resumes (null = when asked). */
  pause: PauseView | null;
  /** The promotion code's discount on the subscription (null: none). */
  discount: DiscountView | null;
  /** The enterprise contract in force, if any. */
  contract: Contract | null;
  /** Collection by invoice: the invoice awaiting payment and its due date. */
  invoiceDue: { invoiceId: string; amountDue: number; currency: string; dueAt: number } | null;
}

export interface PauseView {
  behavior: PauseBehavior;
  resumesAt: number | null;
}

export interface ScheduledChangeView extends Terms {
  plan: PlanId;
  effectiveAt: number | null;
}

export function toView(
  s: StateBeforeCoreV2 &
    Partial<
      Pick<
        SubscriptionState,
        'paymentAction' | 'pendingUpgrade' | 'terms' | 'scheduled' | 'pause' | 'discount' | 'contract' | 'invoiceDue'
      >
    >,
): SubscriptionView {
  const terms = termsOf(s);
  const d = s.dunning;
  const phase: DunningPhase | null =
    d && (d.action ? 'action_required' : d.nextRetryAt !== null ? 'retrying' : 'grace');
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
      phase: phase ?? 'grace',
      nextActionAt: phase === 'retrying' && d.nextRetryAt !== null ? d.nextRetryAt : d.schedule.graceEndsAt,
      nextRetryAt: d.nextRetryAt,
      finalNoticeAt: d.schedule.finalNoticeAt,
      graceEndsAt: d.schedule.graceEndsAt,
    },
    paymentAction: s.paymentAction ?? d?.action ?? null,
    pendingUpgradePlan: s.pendingUpgrade?.plan ?? null,
    canceledAt: s.canceledAt,
    endedAt: s.endedAt,
    stateVersion: s.stateVersion,
    interval: terms.interval,
    seats: terms.seats,
    addOns: terms.addOns,
    scheduledChange: s.scheduled
      ? { plan: s.scheduled.plan, ...s.scheduled.terms, effectiveAt: s.currentPeriodEnd }
      : null,
    pause: s.pause ? { behavior: s.pause.behavior, resumesAt: s.pause.resumesAt } : null,
    discount: s.discount ?? null,
    contract: s.contract ?? null,
    invoiceDue: s.invoiceDue
      ? {
          invoiceId: s.invoiceDue.invoiceId,
          amountDue: s.invoiceDue.amountDue,
          currency: s.invoiceDue.currency,
          dueAt: s.invoiceDue.dueAt,
        }
      : null,
  };
}

/** What a commit publishes (search attributes and the read model), without the version. */
export interface PublishedSubscription {
  organizationId: string;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  plan: PlanId;
  status: SubscriptionStatus;
  currency: string;
  unitAmount: number;
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
  cancelAtPeriodEnd: boolean;
  pendingPlan: PlanId | null;
  trialEnd: number | null;
  defaultPaymentMethodId: string | null;
  dunningAttempt: number;
  graceEndsAt: number | null;
  /** The fields below are absent from projections of runs before the policy core (src/workflows/v1). */
  dunningPhase?: DunningPhase | null;
  dunningNextActionAt?: number | null;
  paymentAction?: PaymentAction | null;
  pendingUpgradePlan?: PlanId | null;
  /** Absent (or ignored) while the subscription is monthly without seats, add-ons or a scheduled change. */
  interval?: Terms['interval'];
  seats?: number;
  addOns?: Terms['addOns'];
  scheduledChange?: ScheduledChangeView | null;
  /** Absent (or ignored) while not paused. */
  pause?: PauseView | null;
  /** Absent (or ignored) while there is no discount. */
  discount?: DiscountView | null;
  /** Absent (or ignored) without a contract. */
  contract?: Contract | null;
  invoiceDue?: SubscriptionView['invoiceDue'];
  canceledAt: number | null;
  endedAt: number | null;
}

export function toPublished(s: SubscriptionState): PublishedSubscription {
  const view = toView(s);
  return {
    organizationId: s.organizationId,
    stripeCustomerId: s.stripeCustomerId,
    stripeSubscriptionId: s.stripeSubscriptionId,
    plan: s.plan,
    status: s.status,
    currency: s.currency,
    unitAmount: s.unitAmount,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pendingPlan: s.pendingPlan,
    trialEnd: s.trialEnd,
    defaultPaymentMethodId: s.defaultPaymentMethodId,
    dunningAttempt: s.dunning?.failedAttempts ?? 0,
    graceEndsAt: s.dunning?.schedule.graceEndsAt ?? null,
    dunningPhase: view.dunning?.phase ?? null,
    dunningNextActionAt: view.dunning?.nextActionAt ?? null,
    paymentAction: view.paymentAction,
    pendingUpgradePlan: view.pendingUpgradePlan,
    interval: view.interval,
    seats: view.seats,
    addOns: view.addOns,
    scheduledChange: view.scheduledChange,
    pause: view.pause,
    discount: view.discount,
    contract: view.contract,
    invoiceDue: view.invoiceDue,
    canceledAt: s.canceledAt,
    endedAt: s.endedAt,
  };
}

/** Remembers a webhook event id: the new state, or null when it was seen before. Bounded so history stays small. */
export function rememberEvent(s: SubscriptionState, eventId: string, policy: BillingPolicy): SubscriptionState | null {
  if (s.seenEventIds.includes(eventId)) return null;
  const seenEventIds = [...s.seenEventIds, eventId].slice(-policy.seenEventLimit);
  return { ...s, seenEventIds };
}
