import { decideCancel, decideResume } from '../../../src/domain/cancellation';
import { fromStripeStatus, isOperationAllowed } from '../../../src/domain/subscription-status';

describe('cancellation', () => {
  test('an active subscription cancels now or at period end', () => {
    expect(decideCancel({ status: 'active', cancelAtPeriodEnd: false }, false)).toEqual({ kind: 'immediate' });
    expect(decideCancel({ status: 'active', cancelAtPeriodEnd: false }, true)).toEqual({ kind: 'at_period_end' });
  });

  test('asking twice to cancel at period end is rejected, canceling now still works', () => {
    expect(decideCancel({ status: 'trialing', cancelAtPeriodEnd: true }, true)).toMatchObject({
      reason: 'AlreadyCanceling',
    });
    expect(decideCancel({ status: 'trialing', cancelAtPeriodEnd: true }, false)).toEqual({ kind: 'immediate' });
  });

  test('past_due subscriptions are canceled at once even when asked for period end', () => {
    expect(decideCancel({ status: 'past_due', cancelAtPeriodEnd: false }, true)).toEqual({ kind: 'immediate' });
  });

  test('nothing to cancel without a live subscription', () => {
    expect(decideCancel({ status: 'none', cancelAtPeriodEnd: false }, false)).toMatchObject({
      reason: 'NoActiveSubscription',
    });
    expect(decideCancel({ status: 'canceled', cancelAtPeriodEnd: false }, false)).toMatchObject({
      reason: 'NoActiveSubscription',
    });
  });

  test('resume undoes a pending cancel and/or downgrade, and refuses when nothing is pending', () => {
    expect(decideResume({ status: 'active', cancelAtPeriodEnd: true, pendingPlan: null })).toEqual({
      kind: 'resume',
      undoCancel: true,
      undoDowngrade: false,
    });
    expect(decideResume({ status: 'active', cancelAtPeriodEnd: false, pendingPlan: 'starter' })).toEqual({
      kind: 'resume',
      undoCancel: false,
      undoDowngrade: true,
    });
    expect(decideResume({ status: 'active', cancelAtPeriodEnd: false, pendingPlan: null })).toMatchObject({
      reason: 'NothingToResume',
    });
  });
});

describe('subscription status', () => {
  test('Stripe statuses fold onto ours', () => {
    expect(fromStripeStatus('unpaid')).toBe('past_due');
    expect(fromStripeStatus('incomplete_expired')).toBe('canceled');
    expect(fromStripeStatus('paused')).toBe('canceled');
    expect(fromStripeStatus('trialing')).toBe('trialing');
  });

  test('only a new run may subscribe and an ended one admits nothing', () => {
    expect(isOperationAllowed('none', 'subscribe')).toBe(true);
    expect(isOperationAllowed('active', 'subscribe')).toBe(false);
    expect(isOperationAllowed('canceled', 'updatePaymentMethod')).toBe(false);
    expect(isOperationAllowed('past_due', 'updatePaymentMethod')).toBe(true);
  });
});
