import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotReachableError } from '../subscriptions/client';
import { BillingErrorType } from '../workflows/messages';
import { ApiError, type ErrorCode } from './errors';

const CODE_FOR_TYPE: Record<BillingErrorType, ErrorCode> = {
  CardDeclined: 'CARD_DECLINED',
  InvalidRequest: 'INVALID_REQUEST',
  StripeUnavailable: 'API_ERROR',
  AlreadySubscribed: 'CONFLICT',
  InvalidPlan: 'VALIDATION_FAILED',
  EnterpriseNotSelfServe: 'FORBIDDEN',
  PaymentMethodRequired: 'VALIDATION_FAILED',
  SamePlan: 'CONFLICT',
  PlanChangeNotAllowed: 'CONFLICT',
  PendingChangeExists: 'CONFLICT',
  PlanNotBillable: 'CONFLICT',
  NoActiveSubscription: 'CONFLICT',
  AlreadyCanceling: 'CONFLICT',
  NothingToResume: 'CONFLICT',
  AlreadyPaused: 'CONFLICT',
  NotPaused: 'CONFLICT',
};

/** What a caller should wait after Stripe's rate limit outlived the workflow's retries (they span about a minute). */
export const STRIPE_RATE_LIMIT_RETRY_AFTER_SECONDS = 30;

function isBillingErrorType(type: string | undefined | null): type is BillingErrorType {
  return !!type && type in CODE_FOR_TYPE;
}

/**
 * Turns what Temporal answered into the API's error: a workflow's typed rejection keeps its reason
 * (`details.reason`), a missing workflow means no subscription, an unreachable Temporal or an update that
 * outlived its RPC deadline is a 503.
 * Branches on failure types only, never on message text.
 */
export function toApiError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    if (isBillingErrorType(failure.type)) {
      const extra = failure.details?.[0] && typeof failure.details[0] === 'object' ? failure.details[0] : {};
      // Stripe's 429 outlived the retries (the activity marks its failure): the seed's RATE_LIMIT, not an outage.
      if (
        failure.type === BillingErrorType.StripeUnavailable &&
        (extra as { rateLimited?: unknown }).rateLimited === true
      )
        return new ApiError(
          'RATE_LIMIT',
          'Too many requests to our payment provider. Please try again later.',
          { reason: failure.type, rateLimited: true, retryAfterSeconds: STRIPE_RATE_LIMIT_RETRY_AFTER_SECONDS },
          { 'Retry-After': String(STRIPE_RATE_LIMIT_RETRY_AFTER_SECONDS) },
        );
      return new ApiError(CODE_FOR_TYPE[failure.type], failure.message, { reason: failure.type, ...extra });
    }
  }
  if (err instanceof WorkflowNotFoundError) {
    return new ApiError('CONFLICT', 'The organization has no live subscription', {
      reason: BillingErrorType.NoActiveSubscription,
    });
  }
  // The update outlived the RPC deadline (a busy worker or server): it may still complete. Retryable, and a
  // retry with the same Idempotency-Key (the update id) reaches the same update rather than a second one.
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ApiError(
      'SERVICE_UNAVAILABLE',
      'Billing is taking longer than usual. Retry with the same Idempotency-Key.',
      undefined,
      { 'Retry-After': '5' },
    );
  }
  // Temporal said "not found" for a workflow that is running (a server restarting from its database): retryable.
  if (
    isGrpcServiceError(err) ||
    err instanceof WorkflowNotReachableError ||
    (err instanceof Error && err.name === 'ServiceError')
  ) {
    return new ApiError(
      'SERVICE_UNAVAILABLE',
      'Billing is temporarily unavailable. Please try again shortly.',
      undefined,
      { 'Retry-After': '5' },
    );
  }
  return err;
}
