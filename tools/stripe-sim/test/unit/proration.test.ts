import { prorate, remainingFraction } from '../../billing/proration';

describe('proration', () => {
  const period = { start: 1_000, end: 1_000 + 30 * 86_400 };

  it('measures the unused part of the period in seconds', () => {
    expect(remainingFraction(period, period.start)).toBe(1);
    expect(remainingFraction(period, period.start + 15 * 86_400)).toBe(0.5);
    expect(remainingFraction(period, period.end + 5)).toBe(0);
    expect(remainingFraction(period, period.start - 5)).toBe(1);
  });

  it('credits the old price and charges the new one for the remaining time, rounding each line', () => {
    const at = period.start + 10 * 86_400;
    expect(prorate({ unitAmount: 2_900, quantity: 1 }, { unitAmount: 9_900, quantity: 1 }, period, at)).toEqual({
      credit: -1_933,
      charge: 6_600,
    });
  });

  it('rounds half away from zero per line the way amounts in minor units are rounded', () => {
    const third = { start: 0, end: 3 };
    expect(prorate({ unitAmount: 100, quantity: 1 }, { unitAmount: 200, quantity: 1 }, third, 1)).toEqual({
      credit: -67,
      charge: 133,
    });
  });

  it('multiplies by quantity and handles added or removed items', () => {
    const at = period.start + 20 * 86_400;
    expect(prorate(null, { unitAmount: 1_000, quantity: 3 }, period, at)).toEqual({ credit: 0, charge: 1_000 });
    expect(prorate({ unitAmount: 1_000, quantity: 3 }, null, period, at)).toEqual({ credit: -1_000, charge: 0 });
  });
});
