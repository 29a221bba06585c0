import type { PlanId } from '../domain/plans';
import type { NotificationRequest } from '../notifications/types';
import type { SubscriptionStatus } from '../domain/subscription-status';
import type { StripePort } from '../domain/subscription/stripe';

export type {
  AttachPaymentMethodInput, ChangePlanInput, ChangePlanOutcome, CreateSubscriptionInput, EnsureCustomerInput, EnsureCustomerResult,
  ExtendTrialInput, FetchInvoiceInput, FetchSubscriptionInput, InvoiceActionInput, InvoiceSnapshot, PayInvoiceInput, PayInvoiceResult,
  PaymentError, PlanChangePreview, PreviewPlanChangeInput, SetCancelAtPeriodEndInput, SubscriptionSnapshot, SubscriptionUpdateInput,
} from '../domain/subscription/stripe';

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
  /** Monotonic per subscription; with historyLength, orders projections: an older one never overwrites a newer one. */
  stateVersion: number;
  /** The workflow task's history length: of two projections of one version, the later task's wins (local reads). */
  historyLength?: number;
}

/** The activity contract: createActivities(deps) implements it, workflows import it as a type, tests fake it. */
export interface BillingActivities extends StripePort {
  projectSubscription(input: SubscriptionProjection): Promise<{ applied: boolean }>;
  notify(input: NotificationRequest): Promise<{ enqueued: boolean }>;
}
