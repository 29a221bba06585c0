/**
 * The subscription workflow's public contract, shared by the workflow, the API and the webhook relay.
 *
 * One workflow per organization, id `subscription:<organizationId>` (see subscriptionWorkflowId): Temporal's
 * id uniqueness guarantees an organization never has two live subscriptions. Each run models one Stripe
 * subscription; when it ends the run completes and a later subscribe starts a new run under the same id.
 *
 * How a run starts:
 * - API subscribe: update-with-start of `subscribeUpdate` with input `{ organizationId }` and
 *   workflowIdConflictPolicy USE_EXISTING; two concurrent calls reach the same run, one wins, the other
 *   gets `AlreadySubscribed`. The caller's Idempotency-Key is the update id (same key → same result).
 * - Webhook relay, subscription created outside the API (Dashboard, CLI): signal-with-start of
 *   `stripeEventSignal` with input `{ organizationId, adopt: { stripeSubscriptionId } }`. If a run is live
 *   the input is ignored and the signal is delivered; a run with no subscription yet also adopts the
 *   subscription named by a `customer.subscription.created` event.
 * A run that gets no subscription within policy.idleTimeoutMs completes with status `none`.
 *
 * Errors: validators and handlers reject with ApplicationFailure whose `type` is a BillingErrorType; the
 * API maps CardDeclined → 402 CARD_DECLINED, InvalidRequest → 400, StripeUnavailable → 502, the rest → 409.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BillingPolicyOverrides } from '../domain/billing-policy';
import type { PlanId } from '../domain/plans';
import type { SubscriptionStatus } from '../domain/subscription-status';
import type { PlanChangePreview } from '../activities/types';
import type { SubscriptionState } from './state';

export const SUBSCRIPTION_WORKFLOW_PREFIX = 'subscription:';

export function subscriptionWorkflowId(organizationId: string): string {
  return `${SUBSCRIPTION_WORKFLOW_PREFIX}${organizationId}`;
}

export const BillingErrorType = {
  AlreadySubscribed: 'AlreadySubscribed',
  InvalidPlan: 'InvalidPlan',
  EnterpriseNotSelfServe: 'EnterpriseNotSelfServe',
  PaymentMethodRequired: 'PaymentMethodRequired',
  SamePlan: 'SamePlan',
  PlanChangeNotAllowed: 'PlanChangeNotAllowed',
  PendingChangeExists: 'PendingChangeExists',
  PlanNotBillable: 'PlanNotBillable',
  NoActiveSubscription: 'NoActiveSubscription',
  AlreadyCanceling: 'AlreadyCanceling',
  NothingToResume: 'NothingToResume',
  InvalidRequest: 'InvalidRequest',
  CardDeclined: 'CardDeclined',
  StripeUnavailable: 'StripeUnavailable',
} as const;
export type BillingErrorType = (typeof BillingErrorType)[keyof typeof BillingErrorType];

export interface SubscriptionWorkflowInput {
  organizationId: string;
  /** Short durations for tests and demos; production uses the defaults. */
  policy?: BillingPolicyOverrides;
  /** Start by tracking an existing Stripe subscription instead of waiting for subscribe. */
  adopt?: { stripeSubscriptionId: string };
  /** Set only by continue-as-new: the previous run's state. */
  carried?: SubscriptionState;
  /** Set only by continue-as-new: what the previous run last published, so an unchanged state is not published again. */
  published?: string;
}

/** Sent by the webhook relay; the workflow dedupes by eventId and re-fetches the object from Stripe. */
export interface StripeEventSignal {
  eventId: string;
  type: string;
  objectId: string;
  /** Stripe's event `created`, epoch seconds. */
  created: number;
}

export interface DunningView {
  invoiceId: string;
  amountDue: number;
  currency: string;
  /** Failed payment attempts so far, the first failure included. */
  attempt: number;
  severity: 'hard' | 'soft';
  lastDeclineCode: string | null;
  nextRetryAt: number | null;
  finalNoticeAt: number;
  graceEndsAt: number;
}

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
  canceledAt: number | null;
  endedAt: number | null;
  stateVersion: number;
}

export interface SubscribeArgs {
  plan: PlanId;
  /** A Stripe PaymentMethod id (pm_…), collected by Stripe.js. Optional during a trial. */
  paymentMethodId?: string;
  email?: string;
  skipTrial?: boolean;
}
export interface ChangePlanArgs {
  plan: PlanId;
}
export interface ChangePlanResult {
  change: 'upgraded' | 'downgrade_scheduled' | 'cancel_scheduled';
  subscription: SubscriptionView;
}
export interface CancelArgs {
  atPeriodEnd: boolean;
}
export interface UpdatePaymentMethodArgs {
  paymentMethodId: string;
}
export interface UpdatePaymentMethodResult {
  /** Set when a payment was failing: the immediate retry's outcome. */
  retry: 'paid' | 'declined' | null;
  subscription: SubscriptionView;
}
export interface ExtendTrialArgs {
  /** New trial end, epoch ms; must be later than the current one. */
  trialEnd: number;
}

export const subscribeUpdate = defineUpdate<SubscriptionView, [SubscribeArgs]>('subscribe');
export const changePlanUpdate = defineUpdate<ChangePlanResult, [ChangePlanArgs]>('changePlan');
/** Read-only: asks Stripe for the proration of a change. An update because queries cannot call activities. */
export const previewPlanChangeUpdate = defineUpdate<PlanChangePreview, [ChangePlanArgs]>('previewPlanChange');
export const cancelUpdate = defineUpdate<SubscriptionView, [CancelArgs]>('cancel');
export const resumeUpdate = defineUpdate<SubscriptionView, []>('resume');
export const updatePaymentMethodUpdate = defineUpdate<UpdatePaymentMethodResult, [UpdatePaymentMethodArgs]>('updatePaymentMethod');
/** Operator only (the API must check the role): assigns any plan, enterprise included, as an upgrade or downgrade. */
export const assignPlanUpdate = defineUpdate<ChangePlanResult, [ChangePlanArgs]>('assignPlan');
/** Operator only: moves the trial end later. */
export const extendTrialUpdate = defineUpdate<SubscriptionView, [ExtendTrialArgs]>('extendTrial');

export const getStateQuery = defineQuery<SubscriptionView>('getState');
/** Event ids of the signals the reconciliation sends (`reconcile:<run>:<object>`): the read model drifted from Stripe. */
export const RECONCILE_EVENT_PREFIX = 'reconcile:';
export const stripeEventSignal = defineSignal<[StripeEventSignal]>('stripeEvent');
/**
 * Several of an organization's events at once, in Stripe's `created` order (a renewal brings four or five
 * together): one signal, one workflow task and one re-fetch instead of one each. Same dedupe as stripeEvent.
 */
export const stripeEventsSignal = defineSignal<[StripeEventSignal[]]>('stripeEvents');
