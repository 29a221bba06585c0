import type { Currency } from '../currency';
import type { DiscountView } from '../discounts';
import type { Contract } from '../contract';
import type { PlanId } from '../plans';
import type { AddOnId, BillingInterval, Terms } from '../pricing';
import type { BillingProfile, TaxId } from '../billing-profile';

/**
 * What the policy knows of Stripe, and what it may ask of it. Snapshots are normalized and small (not raw Stripe
 * objects) so workflow history stays compact and the policy never depends on Stripe's payload shapes. Times are
 * epoch ms. The activities implement the calls; the policy core only names them (see transition.ts).
 */
export interface PaymentError {
  code: string | null;
  declineCode: string | null;
  adviceCode: string | null;
  /** Customer-facing sentence for the decline (see domain/decline-messages). */
  message: string;
}

/** The PaymentIntent of an invoice's latest payment: `requires_action` means the customer must authenticate. */
export interface PaymentIntentSnapshot {
  id: string;
  status: string;
  /** For Stripe.js on the customer's device (handleNextAction / confirmCardPayment); never logged. */
  clientSecret: string | null;
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
  /** Absent in snapshots recorded before payments that need the customer were modelled. */
  paymentIntent?: PaymentIntentSnapshot | null;
  /** When an invoice sent for payment (collection by invoice) is due; null for charged ones. Absent before contracts. */
  dueDate?: number | null;
}

export interface SubscriptionSnapshot {
  /** The subscription's discount when read with its discounts expanded (absent: not read, keep what is known). */
  discount?: DiscountView | null;
  id: string;
  customerId: string;
  organizationId: string | null;
  /** Stripe's status, verbatim; the policy folds it with domain/subscription-status. */
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
  /**
   * When Stripe drops the change it holds until its invoice is paid (pending_if_incomplete); null when none is
   * held. Absent in snapshots recorded before it was read.
   */
  pendingUpdateExpiresAt?: number | null;
  /**
   * The terms Stripe bills (from the items: the plan price's interval, the seat item's quantity, the add-on items'
   * quantities) and the schedule holding a change for the period boundary. Absent in snapshots recorded before
   * annual billing, seats and add-ons.
   */
  interval?: BillingInterval;
  seats?: number;
  addOns?: Partial<Record<AddOnId, number>>;
  scheduleId?: string | null;
  /** How Stripe collects: charging the card, or sending invoices with net terms. Absent before contracts. */
  collectionMethod?: 'charge_automatically' | 'send_invoice';
  /** Stripe's `pause_collection` (null = collecting). Absent in snapshots recorded before pauses were read. */
  pauseCollection?: { behavior: string; resumesAt: number | null } | null;
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
  /** Interval, seats and add-ons; absent = monthly, none (inputs recorded before them). */
  terms?: Terms;
  /** A promotion code the customer typed: resolved and judged before the subscription is created. */
  promotionCode?: string;
  /** Stripe's `currency` on create; absent in inputs recorded before EUR (Stripe then uses the price's default). */
  currency?: Currency;
}

export interface ChangePlanInput extends Clocked, Step {
  subscriptionId: string;
  plan: PlanId;
  /** upgrade: prorate and charge now, only applied if paid; next_period: new price from the next renewal. */
  mode: 'upgrade' | 'next_period';
  /** The terms the items follow (the current ones for a plan-only change); absent = monthly, none. */
  terms?: Terms;
}
export type ChangePlanOutcome =
  | { outcome: 'applied'; subscription: SubscriptionSnapshot }
  | { outcome: 'declined'; error: PaymentError; invoiceId: string | null }
  /** The proration's payment needs the customer (3-D Secure): Stripe holds the change as pending until paid or expired. */
  | { outcome: 'requires_action'; invoice: InvoiceSnapshot; expiresAt: number; subscription: SubscriptionSnapshot };

export interface PreviewPlanChangeInput {
  subscriptionId: string;
  plan: PlanId;
  terms?: Terms;
  /** at_renewal: nothing is charged now; the preview is the renewal under the new terms. Absent = now. */
  timing?: 'now' | 'at_renewal';
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
  /** When the change takes effect; absent in previews recorded before changes at the period boundary. */
  effective?: 'now' | 'at_renewal';
  /** The target's terms, and one renewal of them on each interval (both, so a pricing page can compare). */
  terms?: Terms;
  renewalAmounts?: Record<BillingInterval, number>;
  /** STRIPE_TAX: the tax in amountDueNow as Stripe computed it, and whether it was reverse-charged. */
  tax?: number;
  reverseCharge?: boolean;
}

/**
 * A change at the period boundary: a subscription schedule whose current phase keeps today's items to the period end
 * and whose next phase carries the new ones (then releases). `scheduleId` set = replace that schedule's next phase.
 */
export interface ScheduleChangeInput extends Clocked, Step {
  subscriptionId: string;
  scheduleId: string | null;
  plan: PlanId;
  terms: Terms;
}
export interface ScheduleChangeResult {
  scheduleId: string;
  subscription: SubscriptionSnapshot;
}
/** Undo: the schedule is released, the subscription keeps its items and renews on them. */
export interface ReleaseScheduleInput extends Clocked, Step {
  subscriptionId: string;
  scheduleId: string;
}

export interface SubscriptionUpdateInput extends Clocked, Step {
  subscriptionId: string;
}
/** Redeem the promotion code a customer typed for the subscription (replacing any discount it has). */
export interface ApplyDiscountInput extends SubscriptionUpdateInput {
  promotionCode: string;
}
/** An immediate cancel; `refundUnusedTime` (CANCEL_REFUND=prorated, absent before it existed) refunds the rest of the period. */
export interface CancelSubscriptionInput extends SubscriptionUpdateInput {
  refundUnusedTime?: boolean;
}
export interface SetCancelAtPeriodEndInput extends SubscriptionUpdateInput {
  cancelAtPeriodEnd: boolean;
}
export interface ExtendTrialInput extends SubscriptionUpdateInput {
  trialEnd: number;
}

/** An enterprise contract's own price and a subscription on it, collected by card or by invoice with net terms. */
export interface CreateContractSubscriptionInput extends Clocked, Step {
  organizationId: string;
  customerId: string;
  contract: Contract;
}

/** `pause_collection` with the behavior for the invoices made meanwhile (domain/pause.ts says which). */
export interface PauseCollectionInput extends SubscriptionUpdateInput {
  behavior: 'mark_uncollectible' | 'void';
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

/** A SetupIntent collects a card for later off-session payments, with 3-D Secure at setup if the card asks for it. */
export interface CreateSetupIntentInput extends Step {
  organizationId: string;
  customerId: string;
}
export interface SetupIntentCreated {
  setupIntentId: string;
  /** For Stripe.js (confirmCardSetup) on the customer's device. */
  clientSecret: string;
}

/** Writes the billing identity to the Stripe customer: email, name, address, and exactly the profile's tax IDs. */
export interface UpdateCustomerProfileInput extends Step {
  organizationId: string;
  customerId: string;
  profile: BillingProfile;
}
/** A tax ID as Stripe holds it (its id, the country it belongs to, Stripe's verification status if any). */
export interface StoredTaxId extends TaxId {
  id: string;
  country: string | null;
  verification: string | null;
}
export interface CustomerProfileResult extends Omit<BillingProfile, 'taxIds'> {
  taxIds: StoredTaxId[];
}

export interface InvoiceActionInput {
  invoiceId: string;
}

/** Every Stripe call the policy makes: its input and its result. */
export interface StripeCalls {
  ensureCustomer: [EnsureCustomerInput, EnsureCustomerResult];
  attachPaymentMethod: [AttachPaymentMethodInput, { paymentMethodId: string }];
  createSubscription: [CreateSubscriptionInput, SubscriptionSnapshot];
  applyDiscount: [ApplyDiscountInput, SubscriptionSnapshot];
  removeDiscount: [SubscriptionUpdateInput, SubscriptionSnapshot];
  changePlan: [ChangePlanInput, ChangePlanOutcome];
  previewPlanChange: [PreviewPlanChangeInput, PlanChangePreview];
  setCancelAtPeriodEnd: [SetCancelAtPeriodEndInput, SubscriptionSnapshot];
  extendTrial: [ExtendTrialInput, SubscriptionSnapshot];
  cancelSubscription: [CancelSubscriptionInput, SubscriptionSnapshot];
  fetchSubscription: [FetchSubscriptionInput, SubscriptionSnapshot];
  fetchInvoice: [FetchInvoiceInput, InvoiceSnapshot];
  payInvoice: [PayInvoiceInput, PayInvoiceResult];
  markInvoiceUncollectible: [InvoiceActionInput, InvoiceSnapshot];
  voidInvoice: [InvoiceActionInput, InvoiceSnapshot];
  createSetupIntent: [CreateSetupIntentInput, SetupIntentCreated];
  updateCustomerProfile: [UpdateCustomerProfileInput, CustomerProfileResult];
  scheduleChange: [ScheduleChangeInput, ScheduleChangeResult];
  releaseSchedule: [ReleaseScheduleInput, SubscriptionSnapshot];
  pauseCollection: [PauseCollectionInput, SubscriptionSnapshot];
  createContractSubscription: [CreateContractSubscriptionInput, SubscriptionSnapshot];
  /** Clears pause_collection, or resumes a subscription in Stripe's own `paused` status. */
  resumeCollection: [SubscriptionUpdateInput, SubscriptionSnapshot];
}
export type StripeCallName = keyof StripeCalls;
export type StripePort = { [K in StripeCallName]: (input: StripeCalls[K][0]) => Promise<StripeCalls[K][1]> };

/** One call as data: which, and with what. */
export type StripeCall = { [K in StripeCallName]: { name: K; input: StripeCalls[K][0] } }[StripeCallName];

/** Reads change nothing in Stripe; the interpreter may run them as local activities. */
export const STRIPE_READS: ReadonlySet<StripeCallName> = new Set(['fetchSubscription', 'fetchInvoice']);

/**
 * Idempotency keys name the business step, never a random value: a retried activity (or a replayed update
 * with the same id) sends the same key, and Stripe answers with the first result instead of acting twice.
 */
export const idempotencyKey = {
  customer: (organizationId: string) => `customer:${organizationId}`,
  testClock: (organizationId: string) => `test_clock:${organizationId}`,
  attachPaymentMethod: (customerId: string, paymentMethodId: string) => `pm_attach:${customerId}:${paymentMethodId}`,
  createSubscription: (organizationId: string, step: string) => `subscription_create:${organizationId}:${step}`,
  updateSubscription: (subscriptionId: string, step: string) => `subscription_update:${subscriptionId}:${step}`,
  cancelSubscription: (subscriptionId: string, step: string) => `subscription_cancel:${subscriptionId}:${step}`,
  payInvoice: (invoiceId: string, attempt: number) => `invoice_pay:${invoiceId}:${attempt}`,
  setupIntent: (customerId: string, step: string) => `setup_intent:${customerId}:${step}`,
  customerProfile: (customerId: string, step: string) => `customer_profile:${customerId}:${step}`,
  /** One key per tax ID the step adds: a retried step re-sends the same creation, not a second one. */
  taxId: (customerId: string, step: string, taxIdKey: string) => `tax_id:${customerId}:${step}:${taxIdKey}`,
  schedule: (subscriptionId: string, step: string) => `subscription_schedule:${subscriptionId}:${step}`,
  contractPrice: (organizationId: string, step: string) => `contract_price:${organizationId}:${step}`,
};

/** The Stripe idempotency key a call is sent with; null for reads and calls Stripe dedupes by itself. */
export function idempotencyKeyOf(call: StripeCall): string | null {
  switch (call.name) {
    case 'ensureCustomer':
      return idempotencyKey.customer(call.input.organizationId);
    case 'attachPaymentMethod':
      return idempotencyKey.attachPaymentMethod(call.input.customerId, call.input.paymentMethodId);
    case 'createSubscription':
    case 'createContractSubscription':
      return idempotencyKey.createSubscription(call.input.organizationId, call.input.step);
    case 'changePlan':
    case 'setCancelAtPeriodEnd':
    case 'extendTrial':
    case 'pauseCollection':
    case 'resumeCollection':
    case 'applyDiscount':
    case 'removeDiscount':
      return idempotencyKey.updateSubscription(call.input.subscriptionId, call.input.step);
    case 'cancelSubscription':
      return idempotencyKey.cancelSubscription(call.input.subscriptionId, call.input.step);
    case 'payInvoice':
      return idempotencyKey.payInvoice(call.input.invoiceId, call.input.attempt);
    case 'createSetupIntent':
      return idempotencyKey.setupIntent(call.input.customerId, call.input.step);
    case 'updateCustomerProfile':
      return idempotencyKey.customerProfile(call.input.customerId, call.input.step);
    case 'scheduleChange':
    case 'releaseSchedule':
      return idempotencyKey.schedule(call.input.subscriptionId, call.input.step);
    default:
      return null;
  }
}
