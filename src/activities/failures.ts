import { ApplicationFailure } from '@temporalio/activity';
import { classifyStripeError } from '../stripe/errors';
import type { PaymentError } from './types';

/**
 * Classifies a Stripe failure where it is understood. Declines and invalid requests are final (a retry would
 * fail the same way), so they become non-retryable typed failures; rate limits, 5xx and network errors are
 * retryable and Temporal retries them under the workflow's bounded policy. Anything else (a database hiccup)
 * is rethrown as is and retried too.
 */
export function toActivityFailure(err: unknown): unknown {
  const c = classifyStripeError(err);
  const details: PaymentError & { stripeCode: string | null; requestId: string | null } = {
    code: c.stripeCode,
    declineCode: c.declineCode,
    adviceCode: c.adviceCode,
    message: c.message,
    stripeCode: c.stripeCode,
    requestId: c.requestId,
  };
  switch (c.code) {
    case 'CARD_DECLINED':
      return ApplicationFailure.create({
        type: 'CardDeclined',
        message: c.message,
        nonRetryable: true,
        details: [details],
      });
    case 'INVALID_REQUEST':
      return ApplicationFailure.create({
        type: c.retryable ? 'StripeConflict' : 'InvalidRequest',
        message: c.message,
        nonRetryable: !c.retryable,
        details: [details],
      });
    case 'RATE_LIMIT':
      // `rateLimited` survives the workflow's mapping of exhausted retries to StripeUnavailable (it keeps the
      // details), so the API can answer 429 RATE_LIMIT rather than 502 (src/api/workflow-errors.ts).
      return ApplicationFailure.create({
        type: 'StripeRateLimited',
        message: c.message,
        nonRetryable: false,
        nextRetryDelay: '5 seconds',
        details: [{ ...details, rateLimited: true }],
      });
    case 'API_ERROR':
      return ApplicationFailure.create({ type: 'StripeUnavailable', message: c.message, nonRetryable: false });
    case 'UNKNOWN_ERROR':
      return err;
  }
}

/** Wraps every function of an activity module so failures leave it classified. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(fns: T): T {
  return Object.fromEntries(
    Object.entries(fns).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw toActivityFailure(err);
        }
      },
    ]),
  ) as T;
}
