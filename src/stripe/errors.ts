import Stripe from 'stripe';
import { declineMessage } from '../domain/decline-messages';

/** The seed's error codes: part of the API contract. */
export type StripeErrorCode = 'CARD_DECLINED' | 'RATE_LIMIT' | 'INVALID_REQUEST' | 'API_ERROR' | 'UNKNOWN_ERROR';

export interface ClassifiedStripeError {
  code: StripeErrorCode;
  /** Worth retrying the same request (with the same idempotency key) later. */
  retryable: boolean;
  /** The issuer's reason for a card decline (e.g. insufficient_funds), or the card error code. */
  declineCode: string | null;
  adviceCode: string | null;
  /** Stripe's machine code (e.g. resource_missing), for logs and branching. */
  stripeCode: string | null;
  statusCode: number | null;
  /** Safe to show a customer. */
  message: string;
  requestId: string | null;
}

const MESSAGES: Record<Exclude<StripeErrorCode, 'CARD_DECLINED'>, string> = {
  RATE_LIMIT: 'Too many requests. Please try again later.',
  INVALID_REQUEST: 'Invalid request. Please check your input.',
  API_ERROR: 'An error occurred with our payment provider. Please try again.',
  UNKNOWN_ERROR: 'An unexpected error occurred. Please contact support.',
};

// With STRIPE_TAX, Stripe Tax needs the customer's location (https://docs.stripe.com/tax/customer-locations).
const TAX_LOCATION_MESSAGE =
  'Tax cannot be calculated for this billing address. Please set the country (and in the US a 5-digit ZIP code and the state) in the billing profile.';

// Stripe answers 409 lock_timeout when the same object is being changed concurrently: safe to retry.
const RETRYABLE_CODES = new Set(['lock_timeout', 'rate_limit']);

/** Maps any error from the Stripe SDK onto the seed's codes. Branches on error classes and codes only. */
export function classifyStripeError(err: unknown): ClassifiedStripeError {
  if (!(err instanceof Stripe.errors.StripeError)) {
    return result('UNKNOWN_ERROR', false, null);
  }
  const e = err;
  if (e instanceof Stripe.errors.StripeCardError) {
    const declineCode = e.decline_code || e.code || null;
    return {
      ...result('CARD_DECLINED', false, e),
      declineCode,
      adviceCode: e.advice_code || null,
      message: declineMessage(declineCode, e.advice_code),
    };
  }
  if (e instanceof Stripe.errors.StripeRateLimitError) return result('RATE_LIMIT', true, e);
  if (e instanceof Stripe.errors.StripeConnectionError) return result('API_ERROR', true, e);
  if (e instanceof Stripe.errors.StripeAPIError) return result('API_ERROR', true, e);
  if (e instanceof Stripe.errors.StripeInvalidRequestError && e.code === 'customer_tax_location_invalid')
    return { ...result('INVALID_REQUEST', false, e), message: TAX_LOCATION_MESSAGE };
  if (e instanceof Stripe.errors.StripeInvalidRequestError || e instanceof Stripe.errors.StripeIdempotencyError) {
    return result('INVALID_REQUEST', e.code !== undefined && RETRYABLE_CODES.has(e.code), e);
  }
  if ((e.statusCode ?? 0) >= 500) return result('API_ERROR', true, e);
  return result('UNKNOWN_ERROR', false, e);
}

function result(code: StripeErrorCode, retryable: boolean, e: Stripe.errors.StripeError | null): ClassifiedStripeError {
  return {
    code,
    retryable,
    declineCode: null,
    adviceCode: null,
    stripeCode: e?.code ?? null,
    statusCode: e?.statusCode ?? null,
    message: code === 'CARD_DECLINED' ? declineMessage(null) : MESSAGES[code],
    requestId: e?.requestId ?? null,
  };
}

/** Whether a Stripe error says the object does not exist (404 resource_missing). */
export function isResourceMissing(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeInvalidRequestError && err.code === 'resource_missing';
}
