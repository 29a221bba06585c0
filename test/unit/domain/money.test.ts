import { addMoney, formatMoney, money, prorate, toMinorUnits } from '../../../src/domain/money';

describe('money helpers', () => {
  test('decimal strings become minor units without float drift', () => {
    expect(toMinorUnits('29', 'usd')).toBe(2900);
    expect(toMinorUnits('0.29', 'usd')).toBe(29);
    expect(toMinorUnits('19.9', 'usd')).toBe(1990);
    expect(toMinorUnits('1000', 'jpy')).toBe(1000);
    expect(() => toMinorUnits('1.234', 'usd')).toThrow(RangeError);
    expect(() => toMinorUnits('abc', 'usd')).toThrow(RangeError);
  });

  test('amounts format with the currency symbol', () => {
    expect(formatMoney(money(9900, 'USD'))).toBe('$99.00');
    expect(formatMoney(money(500, 'jpy'))).toBe('¥500');
  });

  test('non-integer amounts and mixed currencies are refused', () => {
    expect(() => money(1.5, 'usd')).toThrow(RangeError);
    expect(() => addMoney(money(1, 'usd'), money(1, 'eur'))).toThrow(RangeError);
    expect(addMoney(money(1, 'usd'), money(2, 'usd'))).toEqual({ amount: 3, currency: 'usd' });
  });

  test('proration rounds to whole minor units and clamps to the period', () => {
    expect(prorate(9900, 15, 30)).toBe(4950);
    expect(prorate(2900, 1, 3)).toBe(967);
    expect(prorate(2900, 40, 30)).toBe(2900);
    expect(prorate(2900, -1, 30)).toBe(0);
  });
});
