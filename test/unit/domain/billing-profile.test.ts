import {
  billingProfileError,
  diffTaxIds,
  taxIdCountry,
  taxIdFormatError,
  type BillingProfile,
  type TaxId,
} from '../../../src/domain/billing-profile';

const profile = (over: Partial<BillingProfile> = {}): BillingProfile => ({
  email: 'billing@acme.example',
  legalName: 'Acme GmbH',
  address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
  taxIds: [{ type: 'eu_vat', value: 'DE123456789' }],
  ...over,
});

describe('tax ID formats (Stripe’s documented examples)', () => {
  it.each<[TaxId['type'], string]>([
    ['eu_vat', 'ATU12345678'],
    ['eu_vat', 'BE0123456789'],
    ['eu_vat', 'CY12345678Z'],
    ['eu_vat', 'DE123456789'],
    ['eu_vat', 'de 123 456 789'],
    ['eu_vat', 'EL123456789'],
    ['eu_vat', 'ESA1234567Z'],
    ['eu_vat', 'FRAB123456789'],
    ['eu_vat', 'IE1234567AB'],
    ['eu_vat', 'NL123456789B12'],
    ['eu_vat', 'XI123456789'],
    ['gb_vat', 'GB123456789'],
    ['us_ein', '12-3456789'],
    ['ch_vat', 'CHE-123.456.789 MWST'],
    ['no_vat', '123456789MVA'],
    ['au_abn', '12345678912'],
    ['ca_bn', '123456789'],
  ])('%s %s is accepted', (type, value) => {
    expect(taxIdFormatError(type, value)).toBeNull();
  });

  it.each<[TaxId['type'], string]>([
    ['eu_vat', 'DE12345678'],
    ['eu_vat', 'GR123456789'],
    ['eu_vat', 'US123456789'],
    ['eu_vat', 'GB123456789'],
    ['gb_vat', 'DE123456789'],
    ['us_ein', '123456789'],
    ['ch_vat', 'CHE-123.456.789'],
    ['au_abn', '1234567891'],
  ])('%s %s is refused with the type and an example', (type, value) => {
    expect(taxIdFormatError(type, value)).toMatch(new RegExp(`not a valid ${type} \\(e\\.g\\. `));
  });

  it('knows the country of each ID (EL is Greece, XI Northern Ireland)', () => {
    expect(taxIdCountry({ type: 'eu_vat', value: 'EL123456789' })).toBe('GR');
    expect(taxIdCountry({ type: 'eu_vat', value: 'XI123456789' })).toBe('GB');
    expect(taxIdCountry({ type: 'eu_vat', value: 'fr ab 123456789' })).toBe('FR');
    expect(taxIdCountry({ type: 'us_ein', value: '12-3456789' })).toBe('US');
  });
});

describe('billingProfileError', () => {
  it('accepts a whole profile, and one with only an email', () => {
    expect(billingProfileError(profile())).toBeNull();
    expect(billingProfileError({ email: 'a@b.example', legalName: null, address: null, taxIds: [] })).toBeNull();
  });

  it.each<[string, Partial<BillingProfile>, RegExp]>([
    ['a bad email', { email: 'not-an-email' }, /email/],
    ['an empty legal name', { legalName: '  ' }, /legalName/],
    [
      'a country that is not ISO alpha-2',
      { address: { line1: 'x', city: 'y', postalCode: '1', country: 'XX' } },
      /ISO 3166/,
    ],
    ['a lower-case country', { address: { line1: 'x', city: 'y', postalCode: '1', country: 'de' } }, /ISO 3166/],
    ['an address without a city', { address: { line1: 'x', city: '', postalCode: '1', country: 'DE' } }, /city/],
    ['an unknown tax ID type', { taxIds: [{ type: 'xx_vat' as TaxId['type'], value: '1' }] }, /must be one of/],
    [
      'the same ID twice in two spellings',
      {
        taxIds: [
          { type: 'eu_vat', value: 'DE123456789' },
          { type: 'eu_vat', value: 'de 123456789' },
        ],
      },
      /twice/,
    ],
    [
      'six tax IDs',
      { taxIds: Array.from({ length: 6 }, (_, i) => ({ type: 'ca_bn' as const, value: `12345678${i}` })) },
      /at most 5/,
    ],
  ])('refuses %s', (_, over, message) => {
    expect(billingProfileError(profile(over))).toMatch(message);
  });
});

describe('diffTaxIds: the customer ends with exactly the profile’s IDs', () => {
  const current = [
    { id: 'txi_1', type: 'eu_vat' as const, value: 'DE123456789' },
    { id: 'txi_2', type: 'us_ein' as const, value: '12-3456789' },
  ];
  it('keeps what stays (whatever its spelling), deletes what went, creates what is new', () => {
    expect(
      diffTaxIds(current, [
        { type: 'eu_vat', value: 'de 123 456 789' },
        { type: 'gb_vat', value: 'GB123456789' },
      ]),
    ).toEqual({ remove: ['txi_2'], add: [{ type: 'gb_vat', value: 'GB123456789' }] });
  });
  it('an empty list removes them all; the same list changes nothing', () => {
    expect(diffTaxIds(current, [])).toEqual({ remove: ['txi_1', 'txi_2'], add: [] });
    expect(diffTaxIds(current, current)).toEqual({ remove: [], add: [] });
  });
});
