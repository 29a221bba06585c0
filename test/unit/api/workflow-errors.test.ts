import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import Stripe from 'stripe';
import { toActivityFailure } from '../../../src/activities/failures';
import { ApiError } from '../../../src/api/errors';
import { STRIPE_RATE_LIMIT_RETRY_AFTER_SECONDS, toApiError } from '../../../src/api/workflow-errors';
import { WorkflowNotReachableError } from '../../../src/subscriptions/client';
import { toUpdateFailure } from '../../../src/workflows/v1/context';

describe('Temporal failures as API errors', () => {
  it('answers an update that outlived its RPC deadline with a retryable 503, not a 500', () => {
    const err = toApiError(
      new WorkflowUpdateRPCTimeoutOrCancelledError('context deadline exceeded', {
        cause: new Error('4 DEADLINE_EXCEEDED'),
      }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, headers: { 'Retry-After': '5' } });
    expect((err as ApiError).message).toContain('Idempotency-Key');
  });

  it('answers a missing workflow as no live subscription', () => {
    expect(toApiError(new WorkflowNotFoundError('gone', 'subscription:org', undefined))).toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'NoActiveSubscription' },
    });
  });

  it('answers "not found" for a running workflow (Temporal restarting) with a retryable 503', () => {
    expect(toApiError(new WorkflowNotReachableError('subscription:org'))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      headers: { 'Retry-After': '5' },
    });
  });

  it('passes an unknown error through for the 500 handler', () => {
    const unknown = new Error('boom');
    expect(toApiError(unknown)).toBe(unknown);
  });
});

describe("Stripe's rate limit outliving the retries", () => {
  const rateLimited = () =>
    toActivityFailure(
      new Stripe.errors.StripeRateLimitError({ type: 'rate_limit_error', code: 'rate_limit', message: 'Too many' }),
    ) as ApplicationFailure;
  const exhausted = (cause: ApplicationFailure) =>
    new ActivityFailure(
      'Activity task failed',
      'createSubscription',
      '1',
      RetryState.MAXIMUM_ATTEMPTS_REACHED,
      undefined,
      cause,
    );
  const updateFailed = (failure: ApplicationFailure) =>
    new WorkflowUpdateFailedError('Workflow Update failed', failure);

  it('is marked by the activity, and the workflow keeps the mark when it reports StripeUnavailable', () => {
    const failure = toUpdateFailure(exhausted(rateLimited()));
    expect(failure.type).toBe('StripeUnavailable');
    expect(failure.details?.[0]).toMatchObject({ rateLimited: true, stripeCode: 'rate_limit' });
  });

  it('answers 429 RATE_LIMIT with Retry-After, not 502 API_ERROR', () => {
    const err = toApiError(updateFailed(toUpdateFailure(exhausted(rateLimited()))));
    expect(err).toMatchObject({
      code: 'RATE_LIMIT',
      status: 429,
      headers: { 'Retry-After': String(STRIPE_RATE_LIMIT_RETRY_AFTER_SECONDS) },
      details: { reason: 'StripeUnavailable', rateLimited: true },
    });
  });

  it('leaves an outage (5xx retries exhausted) a 502 API_ERROR', () => {
    const outage = toActivityFailure(
      new Stripe.errors.StripeAPIError({ type: 'api_error', message: 'down' }),
    ) as ApplicationFailure;
    expect(toApiError(updateFailed(toUpdateFailure(exhausted(outage))))).toMatchObject({
      code: 'API_ERROR',
      status: 502,
    });
  });
});
