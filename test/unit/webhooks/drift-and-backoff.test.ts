import { invoiceEventType, subscriptionDrift, type StripeSubscriptionFacts } from '../../../src/reconciliation/drift';
import { retryDelayMs } from '../../../src/webhooks/relay';

const stripe = (o: Partial<StripeSubscriptionFacts> & { periodEnd?: number } = {}): StripeSubscriptionFacts => ({
  id: 'sub_1',
  status: o.status ?? 'active',
  cancel_at_period_end: o.cancel_at_period_end ?? false,
  items: { data: [{ current_period_end: o.periodEnd ?? 1_800_000_000 }] },
  ...(o.pause_collection && { pause_collection: o.pause_collection }),
});
const row = (o: Partial<{ status: string; cancel_at_period_end: boolean; current_period_end: Date | null }> = {}) => ({
  status: 'active',
  cancel_at_period_end: false,
  current_period_end: new Date(1_800_000_000_000),
  ...o,
});

describe('subscription drift', () => {
  test('a read model matching Stripe is in sync', () =>
    expect(subscriptionDrift(stripe(), row())).toEqual({ kind: 'in_sync' }));
  test('a live Stripe subscription without a read-model row is untracked', () =>
    expect(subscriptionDrift(stripe(), undefined)).toEqual({ kind: 'untracked' }));
  test('an ended Stripe subscription without a row needs nothing', () =>
    expect(subscriptionDrift(stripe({ status: 'canceled' }), undefined)).toEqual({ kind: 'in_sync' }));
  test('status, cancel-at-period-end and period end differences are named', () =>
    expect(
      subscriptionDrift(stripe({ status: 'past_due', cancel_at_period_end: true, periodEnd: 1_900_000_000 }), row()),
    ).toEqual({
      kind: 'drifted',
      fields: ['status active ≠ past_due', 'cancel_at_period_end', 'current_period_end'],
    }));
  test("Stripe's unpaid is our past_due, not drift", () =>
    expect(subscriptionDrift(stripe({ status: 'unpaid' }), row({ status: 'past_due' }))).toEqual({ kind: 'in_sync' }));
  test('a pause (pause_collection on an active subscription, or Stripe’s paused status) is our paused', () => {
    const paused = stripe({ pause_collection: { behavior: 'void', resumes_at: null } });
    expect(subscriptionDrift(paused, row({ status: 'paused' }))).toEqual({ kind: 'in_sync' });
    expect(subscriptionDrift(stripe({ status: 'paused' }), row({ status: 'paused' }))).toEqual({ kind: 'in_sync' });
    expect(subscriptionDrift(paused, row())).toEqual({ kind: 'drifted', fields: ['status active ≠ paused'] });
  });
});

test.each([
  ['paid', 0, 'invoice.paid'],
  ['open', 2, 'invoice.payment_failed'],
  ['open', 0, 'invoice.finalized'],
  ['void', 0, null],
])('an invoice %s after %i attempts is announced as %s', (status, attempts, type) =>
  expect(invoiceEventType(status, attempts)).toBe(type),
);

describe('relay retry delay', () => {
  const backoff = { baseMs: 1_000, maxMs: 60_000 };
  test('doubles per attempt', () =>
    expect([0, 1, 2, 3].map((a) => retryDelayMs(a, backoff, 0.5))).toEqual([1_000, 2_000, 4_000, 8_000]));
  test('is capped however many attempts failed', () => expect(retryDelayMs(500, backoff, 0.5)).toBe(60_000));
  test('is jittered by ±20 %', () =>
    expect([retryDelayMs(2, backoff, 0), retryDelayMs(2, backoff, 1)]).toEqual([3_200, 4_800]));
});
