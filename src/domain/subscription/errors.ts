/**
 * The closed list of reasons an operation on a subscription is refused or fails. The workflow raises them as
 * ApplicationFailure types; the API maps CardDeclined → 402 CARD_DECLINED, InvalidRequest → 400,
 * StripeUnavailable → 502, the rest → 409.
 */
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
  AlreadyPaused: 'AlreadyPaused',
  NotPaused: 'NotPaused',
  InvalidRequest: 'InvalidRequest',
  CardDeclined: 'CardDeclined',
  StripeUnavailable: 'StripeUnavailable',
} as const;
export type BillingErrorType = (typeof BillingErrorType)[keyof typeof BillingErrorType];

export interface BillingError {
  type: BillingErrorType;
  message: string;
  details?: unknown;
}

export const billingError = (type: BillingErrorType, message: string, details?: unknown): BillingError =>
  details === undefined ? { type, message } : { type, message, details };
