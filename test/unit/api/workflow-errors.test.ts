import { WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApiError } from '../../../src/api/errors';
import { toApiError } from '../../../src/api/workflow-errors';

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

  it('passes an unknown error through for the 500 handler', () => {
    const unknown = new Error('boom');
    expect(toApiError(unknown)).toBe(unknown);
  });
});
