import { nextPeriodEnd, shiftByIntervals } from '../../billing/periods';

const utc = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 1000;

describe('billing periods', () => {
  it('keeps a month-end anchor across short months', () => {
    const anchor = utc(2026, 1, 31);
    expect(shiftByIntervals(anchor, 'month', 1, 1)).toBe(utc(2026, 2, 28));
    expect(shiftByIntervals(anchor, 'month', 1, 2)).toBe(utc(2026, 3, 31));
    expect(shiftByIntervals(utc(2028, 2, 29), 'year', 1, 1)).toBe(utc(2029, 2, 28));
  });

  it('finds the next boundary strictly after a time', () => {
    const anchor = utc(2026, 1, 15);
    expect(nextPeriodEnd(anchor, 'month', 1, anchor)).toBe(utc(2026, 2, 15));
    expect(nextPeriodEnd(anchor, 'month', 1, utc(2026, 6, 20))).toBe(utc(2026, 7, 15));
    expect(nextPeriodEnd(anchor, 'week', 2, anchor + 1)).toBe(anchor + 14 * 86_400);
    expect(nextPeriodEnd(utc(2027, 1, 1), 'month', 1, utc(2026, 1, 1))).toBe(utc(2027, 1, 1));
  });
});
