import type { Currency } from '../currency';
import type { BillingProfile } from '../billing-profile';
import type { CancelRefundPolicy } from '../cancellation';
import type { PlanChangeActor } from '../plan-change';
import type { Contract } from '../contract';
import type { PauseBehavior } from '../pause';
import type { PlanId } from '../plans';
import type { AddOnId, BillingInterval, Terms } from '../pricing';
import type { TermsChangeArgs } from '../terms-change';
import type { NotificationKind } from '../notification-kinds';
import type { DeadlineKind } from './deadlines';
import type { BillingError } from './errors';
import type { StripeCall, StripeCalls, SubscriptionSnapshot } from './stripe';
import type { PublishedSubscription, SubscriptionView } from './state';

/** Event ids of the signals the reconciliation sends (`reconcile:<run>:<object>`): the read model drifted from Stripe. */
export const RECONCILE_EVENT_PREFIX = 'reconcile:';

/** A webhook, as the relay signals it: a trigger to re-fetch, never the truth itself. */
export interface StripeEventSignal {
  eventId: string;
  type: string;
  objectId: string;
  /** Stripe's event `created`, epoch seconds. */
  created: number;
}

export interface SubscribeArgs {
  plan: PlanId;
  /** A Stripe PaymentMethod id (pm_…), collected by Stripe.js. Optional during a trial. */
  paymentMethodId?: string;
  email?: string;
  skipTrial?: boolean;
  /** month (default) or year. */
  interval?: BillingInterval;
  /** Extra seats beyond the plan's included ones (default 0). */
  seats?: number;
  addOns?: Partial<Record<AddOnId, number>>;
  /** A promotion code to redeem with the subscription (runs with discounts only). */
  promotionCode?: string;
  /** The subscription's currency (absent = the Stripe customer's, else the prices' default, usd). */
  currency?: Currency;
}
/** A plan, or terms (interval, seats, add-on packs), or both; absent fields keep their value. */
export type ChangePlanArgs = TermsChangeArgs;
/** upgrade_requires_action: the proration's payment needs the customer; the plan changes once it is paid. */
export type PlanChangeKind = 'upgraded' | 'upgrade_requires_action' | 'downgrade_scheduled' | 'cancel_scheduled';
export interface ChangePlanResult {
  change: PlanChangeKind;
  subscription: SubscriptionView;
}
export interface CancelArgs {
  atPeriodEnd: boolean;
  /** What an immediate cancel gives back (the API passes CANCEL_REFUND); absent = nothing. */
  refund?: CancelRefundPolicy;
}
export interface UpdatePaymentMethodArgs {
  paymentMethodId: string;
}
/** action_required: the new card needs the customer to authenticate the payment (see the view's paymentAction). */
export type RetryOutcome = 'paid' | 'declined' | 'action_required' | null;
export interface UpdatePaymentMethodResult {
  /** Set when a payment was failing: the immediate retry's outcome. */
  retry: RetryOutcome;
  subscription: SubscriptionView;
}
/**
 * Operator only: an enterprise contract for an organization on free (with or without a card), or in place of its
 * live trialing or active subscription (runs with contract moves).
 */
export interface AssignContractArgs {
  contract: Contract;
  /** The billing email for a customer created now (invoices by email need one). */
  email?: string;
}
export interface PauseArgs {
  behavior: PauseBehavior;
  /** When the workflow resumes it, epoch ms: in the future, at most a year out. Absent = until asked. */
  resumesAt?: number | null;
}
export interface ApplyDiscountArgs {
  promotionCode: string;
}
export interface ExtendTrialArgs {
  /** New trial end, epoch ms; must be later than the current one. */
  trialEnd: number;
}

/** What a caller asks of the subscription. `updateId` (the caller's Idempotency-Key) names the business step. */
export type Command =
  | { type: 'subscribe'; args: SubscribeArgs; updateId: string }
  | { type: 'changePlan'; args: ChangePlanArgs; actor: PlanChangeActor; updateId: string }
  | { type: 'previewPlanChange'; args: ChangePlanArgs }
  | { type: 'cancel'; args: CancelArgs; updateId: string }
  | { type: 'resume'; updateId: string }
  | { type: 'updatePaymentMethod'; args: UpdatePaymentMethodArgs; updateId: string }
  | { type: 'extendTrial'; args: ExtendTrialArgs; updateId: string }
  /** Stop collecting (Stripe's pause_collection) with or without access, until resumesAt or unpause. */
  | { type: 'pause'; args: PauseArgs; updateId: string }
  /** End a pause now (DELETE /subscription/pause). */
  | { type: 'unpause'; updateId: string }
  /** Redeem a promotion code for the live subscription (POST /subscription/discount). */
  | { type: 'applyDiscount'; args: ApplyDiscountArgs; updateId: string }
  /** Take the discount off (DELETE /subscription/discount). */
  | { type: 'removeDiscount'; updateId: string }
  | { type: 'assignContract'; args: AssignContractArgs; updateId: string }
  /** A SetupIntent for collecting a card (before or during the subscription); the customer is created if need be. */
  | { type: 'createSetupIntent'; updateId: string }
  /** The customer's billing identity, written to the Stripe customer (created if need be) and the read model. */
  | { type: 'updateBillingProfile'; args: BillingProfile; updateId: string }
  /** Track a subscription created outside the API (Dashboard, CLI), announced by the webhook relay. */
  | { type: 'adopt'; stripeSubscriptionId: string };

/**
 * How a chain of steps ends: a reply to the caller's update, or (internal) nothing but clearing a deferral.
 * Internal chains are guarded: a Stripe call failing past its retries defers the deadlines instead of failing.
 */
export type Finish =
  | { kind: 'view' }
  | { kind: 'planChange'; change: PlanChangeKind }
  | { kind: 'paymentMethod'; retry: RetryOutcome }
  /** The chain's last Stripe answer is the reply (a preview, a SetupIntent). */
  | { kind: 'answer' }
  | { kind: 'internal'; trialWillEnd: boolean };

/** Where a chain resumes when a Stripe call's result comes back; plain data, so a test can drive it. */
export type Continuation = { finish: Finish } & (
  | { step: 'subscribe.customer'; args: SubscribeArgs; updateId: string; asOf: number }
  | { step: 'subscribe.paymentMethod'; args: SubscribeArgs; updateId: string; asOf: number; customerId: string }
  | { step: 'subscribe.created' }
  | { step: 'adopt.fetched' }
  | { step: 'planChange.done'; to: PlanId; pending: boolean; terms?: Terms }
  | { step: 'terms.scheduled'; plan: PlanId; terms: Terms }
  | { step: 'resume.released' }
  | { step: 'pause.set'; behavior: PauseBehavior; resumesAt: number | null }
  | { step: 'contract.customer'; contract: Contract; updateId: string; asOf: number }
  | { step: 'contract.created'; contract: Contract }
  /** A move onto a contract: the contract's subscription exists; the one it replaces (`from`) is canceled next. */
  | { step: 'contract.moved'; contract: Contract; from: string; updateId: string; asOf: number }
  | { step: 'contract.replaced'; contract: Contract; from: string; created: SubscriptionSnapshot }
  | { step: 'invoice.reminder' }
  | { step: 'invoice.overdue' }
  | { step: 'resume.uncanceled'; undoDowngrade: boolean; updateId: string; asOf: number }
  | { step: 'resume.planRestored' }
  | { step: 'paymentMethod.attached' }
  | { step: 'pay.done' }
  | { step: 'grace.invoice' }
  | { step: 'grace.canceled'; invoiceId: string }
  | { step: 'grace.uncollectible' }
  | { step: 'upgrade.voided' }
  | { step: 'answer' }
  | { step: 'setupIntent.customer'; updateId: string }
  | { step: 'profile.customer'; profile: BillingProfile; updateId: string }
  | { step: 'observe' }
  | { step: 'observe.invoice'; stripeStatus: string }
);

export type Input = { now: number } & (
  | Command
  | { type: 'events'; events: StripeEventSignal[] }
  | { type: 'deadline'; kind: DeadlineKind }
  | { type: 'result'; of: Continuation; value: StripeCalls[keyof StripeCalls][1] }
  | { type: 'failed'; of: Continuation; error: BillingError }
);

export interface Notification {
  kind: NotificationKind;
  /** Deterministic per business event: enqueuing the same one twice sends one email. */
  dedupeKey: string;
  data: Record<string, string | number | boolean | null>;
}

export type Effect =
  /** Ask Stripe; its answer comes back as a `result` (or `failed`) input for `then`. Always an output's last effect. */
  | { kind: 'call'; call: StripeCall; then: Continuation }
  /** Publish the state: search attributes, and the read model once there is a Stripe subscription. */
  | { kind: 'publish'; subscription: PublishedSubscription; stateVersion: number }
  | { kind: 'notify'; notification: Notification }
  | { kind: 'reply'; value: unknown }
  | { kind: 'reject'; error: BillingError }
  | { kind: 'log'; level: 'info' | 'warn'; message: string; attributes: Record<string, unknown> };
