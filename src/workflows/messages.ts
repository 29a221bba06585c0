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
import type { BillingProfile } from '../domain/billing-profile';
import type { CustomerProfileResult } from '../domain/subscription/stripe';
import type {
  AssignContractArgs,
  ChangePlanArgs,
  ChangePlanResult,
  CancelArgs,
  ApplyDiscountArgs,
  ExtendTrialArgs,
  PauseArgs,
  PlanChangePreview,
  SetupIntentCreated,
  StateBeforeCoreV2,
  StripeEventSignal,
  SubscribeArgs,
  SubscriptionState,
  SubscriptionView,
  UpdatePaymentMethodArgs,
  UpdatePaymentMethodResult,
} from '../domain/subscription';

export { BillingErrorType, RECONCILE_EVENT_PREFIX } from '../domain/subscription';
export type { BillingProfile } from '../domain/billing-profile';
export type { CustomerProfileResult } from '../domain/subscription/stripe';
export type {
  ApplyDiscountArgs,
  AssignContractArgs,
  CancelArgs,
  ChangePlanArgs,
  ChangePlanResult,
  DunningView,
  ExtendTrialArgs,
  PauseArgs,
  StripeEventSignal,
  SubscribeArgs,
  SubscriptionView,
  UpdatePaymentMethodArgs,
  UpdatePaymentMethodResult,
} from '../domain/subscription';

export const SUBSCRIPTION_WORKFLOW_PREFIX = 'subscription:';

export function subscriptionWorkflowId(organizationId: string): string {
  return `${SUBSCRIPTION_WORKFLOW_PREFIX}${organizationId}`;
}

export interface SubscriptionWorkflowInput {
  organizationId: string;
  /** Short durations for tests and demos; production uses the defaults. */
  policy?: BillingPolicyOverrides;
  /** Start by tracking an existing Stripe subscription instead of waiting for subscribe. */
  adopt?: { stripeSubscriptionId: string };
  /** Set only by continue-as-new: the previous run's state (runs before the policy core carried the older shape). */
  carried?: SubscriptionState | StateBeforeCoreV2;
  /** Set only by continue-as-new from runs before the policy core: what that run last published. */
  published?: string;
}

export const subscribeUpdate = defineUpdate<SubscriptionView, [SubscribeArgs]>('subscribe');
export const changePlanUpdate = defineUpdate<ChangePlanResult, [ChangePlanArgs]>('changePlan');
/** Read-only: asks Stripe for the proration of a change. An update because queries cannot call activities. */
export const previewPlanChangeUpdate = defineUpdate<PlanChangePreview, [ChangePlanArgs]>('previewPlanChange');
export const cancelUpdate = defineUpdate<SubscriptionView, [CancelArgs]>('cancel');
export const resumeUpdate = defineUpdate<SubscriptionView, []>('resume');
export const updatePaymentMethodUpdate = defineUpdate<UpdatePaymentMethodResult, [UpdatePaymentMethodArgs]>(
  'updatePaymentMethod',
);
/** Operator only (the API must check the role): assigns any plan, enterprise included, as an upgrade or downgrade. */
export const assignPlanUpdate = defineUpdate<ChangePlanResult, [ChangePlanArgs]>('assignPlan');
/** Operator only: moves the trial end later. */
export const extendTrialUpdate = defineUpdate<SubscriptionView, [ExtendTrialArgs]>('extendTrial');

/**
 * Operator only (the API and CLI check): an enterprise contract for an organization without a live subscription;
 * update-with-start, like subscribe, so an organization on free with no card gets its run.
 */
export const assignContractUpdate = defineUpdate<SubscriptionView, [AssignContractArgs]>('assignContract');
/** Stops collection with or without access until `resumesAt` (epoch ms) or unpause (POST /subscription/pause). */
export const pauseUpdate = defineUpdate<SubscriptionView, [PauseArgs]>('pause');
/** Ends a pause now (DELETE /subscription/pause). */
export const unpauseUpdate = defineUpdate<SubscriptionView, []>('unpause');

/** Redeems a customer's promotion code for the live subscription (POST /subscription/discount). */
export const applyDiscountUpdate = defineUpdate<SubscriptionView, [ApplyDiscountArgs]>('applyDiscount');
/** Takes the discount off (DELETE /subscription/discount). */
export const removeDiscountUpdate = defineUpdate<SubscriptionView, []>('removeDiscount');

/** A SetupIntent to collect a card (Stripe.js confirmCardSetup); starts the run if none is live (update-with-start). */
export const createSetupIntentUpdate = defineUpdate<SetupIntentCreated, []>('createSetupIntent');

/** The customer's billing identity onto the Stripe customer (created if need be); update-with-start like the SetupIntent. */
export const updateBillingProfileUpdate = defineUpdate<CustomerProfileResult, [BillingProfile]>('updateBillingProfile');

export const getStateQuery = defineQuery<SubscriptionView>('getState');
export const stripeEventSignal = defineSignal<[StripeEventSignal]>('stripeEvent');
/**
 * Several of an organization's events at once, in Stripe's `created` order (a renewal brings four or five
 * together): one signal, one workflow task and one re-fetch instead of one each. Same dedupe as stripeEvent.
 */
export const stripeEventsSignal = defineSignal<[StripeEventSignal[]]>('stripeEvents');
