import {
  amountIn,
  currencyForCountry,
  currencyOptionsFor,
  hasCatalogCurrencyOptions,
  isCurrency,
} from '../../../src/domain/currency';

describe('currencies', () => {
  it('defaults EU billing countries to eur and everything else (or none) to usd', () => {
    expect(currencyForCountry('DE')).toBe('eur');
    expect(currencyForCountry('fr')).toBe('eur');
    expect(currencyForCountry('IE')).toBe('eur');
    expect(currencyForCountry('GB')).toBe('usd');
    expect(currencyForCountry('CH')).toBe('usd');
    expect(currencyForCountry('US')).toBe('usd');
    expect(currencyForCountry(null)).toBe('usd');
    expect(currencyForCountry(undefined)).toBe('usd');
  });

  it('accepts only usd and eur', () => {
    expect(isCurrency('usd')).toBe(true);
    expect(isCurrency('eur')).toBe(true);
    expect(isCurrency('EUR')).toBe(false);
    expect(isCurrency('gbp')).toBe(false);
    expect(isCurrency(3)).toBe(false);
  });

  it('prices EUR at the same number as USD and recognizes a price that already carries it', () => {
    expect(amountIn(2_900, 'eur')).toBe(2_900);
    expect(currencyOptionsFor(2_900)).toEqual({ eur: { unit_amount: 2_900 } });
    expect(hasCatalogCurrencyOptions({ usd: { unit_amount: 2_900 }, eur: { unit_amount: 2_900 } }, 2_900)).toBe(true);
    expect(hasCatalogCurrencyOptions({ usd: { unit_amount: 2_900 } }, 2_900)).toBe(false);
    expect(hasCatalogCurrencyOptions({ eur: { unit_amount: 2_500 } }, 2_900)).toBe(false);
    expect(hasCatalogCurrencyOptions(undefined, 2_900)).toBe(false);
  });
});
