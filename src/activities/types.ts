import type { PlanId } from '../domain/plans';
import type { NotificationRequest } from '../notifications/types';
import type { SubscriptionStatus } from '../domain/subscription-status';

/**
 * What the workflow knows of Stripe: normalized, small snapshots (not raw Stripe objects) so workflow
 * history stays compact and the workflow never depends on Stripe's payload shapes. Times are epoch ms.
 */
export interface PaymentError {
  code: string | null;
  declineCode: string | null;
  adviceCode: string | null;
  /** Customer-facing sentence for the decline (see domain/decline-messages). */
  message: string;
}

export interface InvoiceSnapshot {
  id: string;
  status: string;
  amountDue: number;
  amountRemaining: number;
  currency: string;
  attemptCount: number;
  billingReason: string | null;
  /** When Stripe finalized the invoice (and made its first payment attempt); the dunning anchor. */
  finalizedAt: number;
  hostedInvoiceUrl: string | null;
  lastPaymentError: PaymentError | null;
}

export interface SubscriptionSnapshot {
  id: string;
  customerId: string;
  organizationId: string | null;
  /** Stripe's status, verbatim; the workflow folds it with domain/subscription-status. */
  stripeStatus: string;
  /** null when the price is not one of the catalog's (e.g. a hand-made subscription). */
  plan: PlanId | null;
  unitAmount: number;
  currency: string;
  currentPeriodStart: number;
  currentPeriodEnd: number;
  trialEnd: number | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: number | null;
  endedAt: number | null;
  defaultPaymentMethodId: string | null;
  latestInvoice: InvoiceSnapshot | null;
}

/**
 * `asOf` is the workflow's clock. Stripe keeps its own (test clocks in test mode); when the worker is
 * configured to let the workflow drive, the activity first advances the customer's test clock to it.
 */
interface Clocked {
  asOf: number;
}

/** Names the business step a Stripe write belongs to; the idempotency key is derived from it. */
interface Step {
  step: string;
}

export interface EnsureCustomerInput extends Clocked {
  organizationId: string;
  email?: string;
}
export interface EnsureCustomerResult {
  customerId: string;
  testClockId: string | null;
}

export interface AttachPaymentMethodInput {
  organizationId: string;
  customerId: string;
  paymentMethodId: string;
  subscriptionId: string | null;
}

export interface CreateSubscriptionInput extends Clocked, Step {
  organizationId: string;
  customerId: string;
  plan: PlanId;
  trialDays: number;
  paymentMethodId: string | null;
}

export interface ChangePlanInput extends Clocked, Step {
  subscriptionId: string;
  plan: PlanId;
  /** upgrade: prorate and charge now, only applied if paid; next_period: new price from the next renewal. */
  mode: 'upgrade' | 'next_period';
}
export type ChangePlanResult =
  | { outcome: 'applied'; subscription: SubscriptionSnapshot }
  | { outcome: 'declined'; error: PaymentError; invoiceId: string | null };

export interface PreviewPlanChangeInput {
  subscriptionId: string;
  plan: PlanId;
}
export interface PlanChangePreview {
  plan: PlanId;
  currency: string;
  /** What the customer is charged now (prorations), in minor units. */
  amountDueNow: number;
  /** The proration lines' sum (negative = credit). */
  prorationAmount: number;
  /** Next regular renewal amount at the new price. */
  nextRenewalAmount: number;
  prorationDate: number;
}

export interface SubscriptionUpdateInput extends Clocked, Step {
  subscriptionId: string;
}
export interface SetCancelAtPeriodEndInput extends SubscriptionUpdateInput {
  cancelAtPeriodEnd: boolean;
}
export interface ExtendTrialInput extends SubscriptionUpdateInput {
  trialEnd: number;
}

export interface FetchSubscriptionInput extends Clocked {
  subscriptionId: string;
}
export interface FetchInvoiceInput extends Clocked {
  invoiceId: string;
}

export interface PayInvoiceInput extends Clocked {
  invoiceId: string;
  /** Monotonic per invoice; the idempotency key is invoice + attempt, so a retried activity never pays twice. */
  attempt: number;
}
export type PayInvoiceResult =
  | { outcome: 'paid'; invoice: InvoiceSnapshot }
  | { outcome: 'declined'; error: PaymentError; invoice: InvoiceSnapshot }
  | { outcome: 'not_open'; invoice: InvoiceSnapshot };

export interface InvoiceActionInput {
  invoiceId: string;
}

export interface SubscriptionProjection {
  organizationId: string;
  workflowId: string;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string;
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
  canceledAt: number | null;
  endedAt: number | null;
  /** Monotonic per subscription; with historyLength, an older projection never overwrites a newer one. */
  stateVersion: number;
  /**
   * The history length of the workflow task that projected (two attempts of one task may project one state
   * version). Absent in inputs recorded before it existed: their stateVersion is `version * 2^20 + historyLength`.
   */
  historyLength?: number;
}

/** The activity contract: createActivities(deps) implements it, workflows import it as a type, tests fake it. */
export interface BillingActivities {
  ensureCustomer(input: EnsureCustomerInput): Promise<EnsureCustomerResult>;
  attachPaymentMethod(input: AttachPaymentMethodInput): Promise<{ paymentMethodId: string }>;
  createSubscription(input: CreateSubscriptionInput): Promise<SubscriptionSnapshot>;
  changePlan(input: ChangePlanInput): Promise<ChangePlanResult>;
  previewPlanChange(input: PreviewPlanChangeInput): Promise<PlanChangePreview>;
  setCancelAtPeriodEnd(input: SetCancelAtPeriodEndInput): Promise<SubscriptionSnapshot>;
  extendTrial(input: ExtendTrialInput): Promise<SubscriptionSnapshot>;
  cancelSubscription(input: SubscriptionUpdateInput): Promise<SubscriptionSnapshot>;
  fetchSubscription(input: FetchSubscriptionInput): Promise<SubscriptionSnapshot>;
  fetchInvoice(input: FetchInvoiceInput): Promise<InvoiceSnapshot>;
  payInvoice(input: PayInvoiceInput): Promise<PayInvoiceResult>;
  markInvoiceUncollectible(input: InvoiceActionInput): Promise<InvoiceSnapshot>;
  voidInvoice(input: InvoiceActionInput): Promise<InvoiceSnapshot>;
  projectSubscription(input: SubscriptionProjection): Promise<{ applied: boolean }>;
  notify(input: NotificationRequest): Promise<{ enqueued: boolean }>;
}
