import Stripe from 'stripe';
import { classifyStripeError, isResourceMissing } from '../../../src/stripe/errors';

const E = Stripe.errors;

describe('Stripe error classification', () => {
  test('a card decline keeps its decline code and gets a customer message, never retried', () => {
    const c = classifyStripeError(
      new E.StripeCardError({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'raw',
      }),
    );
    expect(c).toMatchObject({
      code: 'CARD_DECLINED',
      retryable: false,
      declineCode: 'insufficient_funds',
      stripeCode: 'card_declined',
    });
    expect(c.message).toMatch(/insufficient funds/);
  });

  test('Stripe Tax unable to locate the customer is an invalid request asking for the billing address, never retried', () => {
    const c = classifyStripeError(
      new E.StripeInvalidRequestError({
        type: 'invalid_request_error',
        code: 'customer_tax_location_invalid',
        message: 'raw',
      }),
    );
    expect(c).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, stripeCode: 'customer_tax_location_invalid' });
    expect(c.message).toMatch(/billing address/);
    const other = classifyStripeError(
      new E.StripeInvalidRequestError({ type: 'invalid_request_error', code: 'parameter_unknown', message: 'raw' }),
    );
    expect(other.message).not.toMatch(/billing address/);
  });

  test('a card error without an issuer decline code falls back to the error code', () => {
    const c = classifyStripeError(new E.StripeCardError({ type: 'card_error', code: 'expired_card', message: 'raw' }));
    expect(c).toMatchObject({ code: 'CARD_DECLINED', declineCode: 'expired_card' });
    expect(c.message).toMatch(/expired/);
  });

  test('the issuer advice code is kept', () => {
    const c = classifyStripeError(
      new E.StripeCardError({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        advice_code: 'do_not_try_again',
      }),
    );
    expect(c.adviceCode).toBe('do_not_try_again');
  });

  test.each([
    [new E.StripeRateLimitError({ type: 'rate_limit_error' }), 'RATE_LIMIT', true],
    [new E.StripeAPIError({ type: 'api_error' }), 'API_ERROR', true],
    [new E.StripeConnectionError({ type: 'api_error' }), 'API_ERROR', true],
    [
      new E.StripeInvalidRequestError({ type: 'invalid_request_error', code: 'parameter_missing' }),
      'INVALID_REQUEST',
      false,
    ],
    [new E.StripeInvalidRequestError({ type: 'invalid_request_error', code: 'lock_timeout' }), 'INVALID_REQUEST', true],
    [new E.StripeIdempotencyError({ type: 'idempotency_error' }), 'INVALID_REQUEST', false],
    [new E.StripeAuthenticationError({ type: 'invalid_request_error' }), 'UNKNOWN_ERROR', false],
    [new Error('boom'), 'UNKNOWN_ERROR', false],
  ])('%p maps to %s (retryable %s)', (err, code, retryable) => {
    expect(classifyStripeError(err)).toMatchObject({ code, retryable });
  });

  test('messages never echo Stripe internals for non-card errors', () => {
    const c = classifyStripeError(
      new E.StripeInvalidRequestError({ type: 'invalid_request_error', message: 'No such customer: cus_secret' }),
    );
    expect(c.message).not.toMatch(/cus_secret/);
  });

  test('resource_missing is recognised by code, not message', () => {
    expect(
      isResourceMissing(new E.StripeInvalidRequestError({ type: 'invalid_request_error', code: 'resource_missing' })),
    ).toBe(true);
    expect(
      isResourceMissing(
        new E.StripeInvalidRequestError({ type: 'invalid_request_error', message: 'No such resource_missing' }),
      ),
    ).toBe(false);
  });
});
