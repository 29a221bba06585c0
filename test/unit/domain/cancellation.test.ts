import fc from 'fast-check';
import { decideCancel, decideResume, unusedTimeRefund, type PaidLine } from '../../../src/domain/cancellation';
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

describe('the prorated refund of an immediate cancel (CANCEL_REFUND=prorated)', () => {
  const DAY = 86_400_000;
  const start = Date.UTC(2027, 0, 1);
  const end = start + 30 * DAY;
  const plan: PaidLine = { amount: 2900, periodStart: start, periodEnd: end, metered: false };
  const refund = (over: Partial<Parameters<typeof unusedTimeRefund>[0]> = {}) =>
    unusedTimeRefund({
      lines: [plan],
      linesTotal: 2900,
      amountPaid: 2900,
      refundable: 2900,
      canceledAt: start,
      ...over,
    });

  test('the unused share of the period, rounded down; nothing once it is over, everything before it begins', () => {
    expect(refund({ canceledAt: start + 10 * DAY })).toBe(1933); // 2900 × 20/30 = 1933.33
    expect(refund({ canceledAt: start })).toBe(2900);
    expect(refund({ canceledAt: end })).toBe(0);
    expect(refund({ canceledAt: start - DAY })).toBe(2900);
  });

  test('metered overage is never refunded; a discount or balance scales it down, tax up; never more than is refundable', () => {
    const overage: PaidLine = { ...plan, amount: 5000, metered: true };
    expect(refund({ lines: [plan, overage], linesTotal: 7900, amountPaid: 7900, canceledAt: start + 15 * DAY })).toBe(
      1450,
    );
    expect(refund({ amountPaid: 2320, canceledAt: start + 15 * DAY })).toBe(1160); // 20 % off: 1450 × 0.8
    expect(refund({ amountPaid: 3480, refundable: 3480, canceledAt: start + 15 * DAY })).toBe(1740); // 20 % tax
    expect(refund({ refundable: 1000, canceledAt: start + 15 * DAY })).toBe(1000);
    expect(refund({ refundable: 0 })).toBe(0);
    expect(refund({ amountPaid: 0 })).toBe(0);
  });

  test('a plan changed mid-period: the renewal and the proration invoice add up to the unused time of the new plan', () => {
    const upgradedAt = start + 10 * DAY;
    const canceledAt = start + 20 * DAY;
    const renewal = refund({ canceledAt }); // starter, paid for the whole period
    const proration = unusedTimeRefund({
      lines: [
        { amount: -1933, periodStart: upgradedAt, periodEnd: end, metered: false }, // starter's unused time credited
        { amount: 6600, periodStart: upgradedAt, periodEnd: end, metered: false }, // professional's charged
      ],
      linesTotal: 4667,
      amountPaid: 4667,
      refundable: 4667,
      canceledAt,
    });
    // Professional (9900 a period) for the last 10 of 30 days: 3300, within a unit of rounding per invoice.
    expect(Math.abs(renewal + proration - 3300)).toBeLessThanOrEqual(2);
  });

  test('property: between nothing and what is refundable, and never more for a later cancel', () => {
    const line = fc
      .record({
        amount: fc.integer({ min: -100_000, max: 100_000 }),
        start: fc.integer({ min: 0, max: 60 }),
        days: fc.integer({ min: 0, max: 400 }),
        metered: fc.boolean(),
      })
      .map((l): PaidLine => ({
        amount: l.amount,
        periodStart: start + l.start * DAY,
        periodEnd: start + (l.start + l.days) * DAY,
        metered: l.metered,
      }));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 6 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 100 }),
        (lines, linesTotal, amountPaid, refundable, at, later) => {
          const args = { lines, linesTotal, amountPaid, refundable, canceledAt: start + at * DAY };
          const now = unusedTimeRefund(args);
          expect(Number.isInteger(now)).toBe(true);
          expect(now).toBeGreaterThanOrEqual(0);
          expect(now).toBeLessThanOrEqual(Math.max(0, refundable));
          if (lines.every((l) => l.amount >= 0))
            expect(unusedTimeRefund({ ...args, canceledAt: args.canceledAt + later * DAY })).toBeLessThanOrEqual(now);
        },
      ),
    );
  });
});
