import { DEFAULT_BILLING_POLICY, resolveBillingPolicy } from '../../../src/domain/billing-policy';

const DAY = 86_400_000;

describe('billing policy', () => {
  test('defaults retry on days 1, 3, 5, 7 with three days of grace', () => {
    expect(DEFAULT_BILLING_POLICY.dunning.retryDelaysMs).toEqual([1 * DAY, 3 * DAY, 5 * DAY, 7 * DAY]);
    expect(DEFAULT_BILLING_POLICY.dunning.graceMs).toBe(3 * DAY);
  });

  test('overrides replace single fields and keep the rest', () => {
    const p = resolveBillingPolicy({ dunning: { graceMs: 1000, finalNoticeBeforeGraceEndMs: 500 } });
    expect(p.dunning.graceMs).toBe(1000);
    expect(p.dunning.retryDelaysMs).toEqual(DEFAULT_BILLING_POLICY.dunning.retryDelaysMs);
    expect(p.trial).toEqual(DEFAULT_BILLING_POLICY.trial);
  });

  test('inconsistent policies are refused', () => {
    expect(() => resolveBillingPolicy({ dunning: { retryDelaysMs: [3, 1] } })).toThrow(RangeError);
    expect(() => resolveBillingPolicy({ dunning: { finalNoticeBeforeGraceEndMs: 10 * DAY } })).toThrow(RangeError);
    expect(() => resolveBillingPolicy({ idleTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => resolveBillingPolicy({ runHistoryLimit: 0 })).toThrow(RangeError);
    expect(() => resolveBillingPolicy({ runHistoryLimit: 99.5 })).toThrow(RangeError);
  });
});
