import type { NotificationRequest } from '../notifications/types';
import type { PublishedSubscription } from '../domain/subscription/state';
import type { StripePort } from '../domain/subscription/stripe';

export type {
  AttachPaymentMethodInput,
  CancelSubscriptionInput,
  ChangePlanInput,
  ChangePlanOutcome,
  CreateContractSubscriptionInput,
  CreateSetupIntentInput,
  CreateSubscriptionInput,
  CustomerProfileResult,
  EnsureCustomerInput,
  EnsureCustomerResult,
  ExtendTrialInput,
  FetchInvoiceInput,
  FetchSubscriptionInput,
  InvoiceActionInput,
  InvoiceSnapshot,
  PayInvoiceInput,
  PayInvoiceResult,
  PauseCollectionInput,
  ApplyDiscountInput,
  PaymentError,
  PlanChangePreview,
  PreviewPlanChangeInput,
  SetCancelAtPeriodEndInput,
  SetupIntentCreated,
  StoredTaxId,
  SubscriptionSnapshot,
  SubscriptionUpdateInput,
  UpdateCustomerProfileInput,
} from '../domain/subscription/stripe';

/** What the workflow projects into the read model: the published state, its workflow, and its order. */
export type SubscriptionProjection = Omit<PublishedSubscription, 'stripeSubscriptionId'> & {
  workflowId: string;
  stripeSubscriptionId: string;
  /** Monotonic per subscription; with historyLength, an older projection never overwrites a newer one. */
  stateVersion: number;
  /**
   * The history length of the workflow task that projected (two attempts of one task may project one state
   * version). Absent in inputs recorded before it existed: their stateVersion is `version * 2^20 + historyLength`.
   */
  historyLength?: number;
};

/** The activity contract: createActivities(deps) implements it, workflows import it as a type, tests fake it. */
export interface BillingActivities extends StripePort {
  projectSubscription(input: SubscriptionProjection): Promise<{ applied: boolean }>;
  notify(input: NotificationRequest): Promise<{ enqueued: boolean }>;
}
