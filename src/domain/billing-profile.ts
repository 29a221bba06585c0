/**
 * The customer's billing identity: where invoices go (the billing email), who they are addressed to (legal name,
 * address) and the tax IDs printed on them. It lives on the Stripe customer and in the billing_customers read model.
 * Pure rules: the formats Stripe accepts per tax ID type, checked before anything is sent.
 */

export interface BillingAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  /** State, county or province, where the country uses one. */
  state?: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}

export interface TaxId {
  type: TaxIdType;
  value: string;
}

export interface BillingProfile {
  email: string;
  legalName: string | null;
  address: BillingAddress | null;
  taxIds: TaxId[];
}

/**
 * The tax ID types this service accepts (a subset of Stripe's `tax_id_data.type`), with the format Stripe's
 * documentation gives for each (https://docs.stripe.com/billing/customer/tax-ids, "Supported tax ID types").
 * Values are compared after removing spaces, as Stripe does.
 */
export const TAX_ID_FORMATS = {
  /** EU VAT: a member state prefix (EL for Greece, XI for Northern Ireland) and its national number. */
  eu_vat:
    /^(AT U\d{8}|BE [01]\d{9}|BG \d{9,10}|CY \d{8}[A-Z]|CZ \d{8,10}|DE \d{9}|DK \d{8}|EE \d{9}|EL \d{9}|ES [A-Z0-9]\d{7}[A-Z0-9]|FI \d{8}|FR [A-HJ-NP-Z0-9]{2}\d{9}|HR \d{11}|HU \d{8}|IE \d{7}[A-W][A-I]?|IE \d[A-Z+*]\d{5}[A-W]|IT \d{11}|LT (\d{9}|\d{12})|LU \d{8}|LV \d{11}|MT \d{8}|NL \d{9}B\d{2}|PL \d{10}|PT \d{9}|RO \d{2,10}|SE \d{12}|SI \d{8}|SK \d{10}|XI (\d{9}|\d{12}|GD\d{3}|HA\d{3}))$/,
  /** United Kingdom VAT: GB and 9 or 12 digits. */
  gb_vat: /^GB (\d{9}|\d{12})$/,
  /** United States Employer Identification Number: 12-3456789. */
  us_ein: /^\d{2}-\d{7}$/,
  /** Swiss VAT: CHE-123.456.789 MWST (or TVA, IVA). */
  ch_vat: /^CHE-\d{3}\.\d{3}\.\d{3} (MWST|TVA|IVA)$/,
  /** Norwegian VAT: 9 digits and MVA. */
  no_vat: /^\d{9}MVA$/,
  /** Australian Business Number: 11 digits. */
  au_abn: /^\d{11}$/,
  /** Canadian Business Number: 9 digits. */
  ca_bn: /^\d{9}$/,
} as const satisfies Record<string, RegExp>;
export type TaxIdType = keyof typeof TAX_ID_FORMATS;
export const TAX_ID_TYPES = Object.keys(TAX_ID_FORMATS) as TaxIdType[];

/** At most this many tax IDs per customer (Stripe allows 5 per customer for most accounts). */
export const MAX_TAX_IDS = 5;

/**
 * The value as Stripe stores it: spaces removed and upper case. Formats that carry a space after their prefix
 * (eu_vat, gb_vat, ch_vat) are matched against the value with that space put back, so "DE123456789",
 * "de 123 456 789" and "DE 123456789" are one ID.
 */
export function normalizeTaxIdValue(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

function forMatching(type: TaxIdType, normalized: string): string {
  switch (type) {
    case 'eu_vat':
    case 'gb_vat':
      return `${normalized.slice(0, 2)} ${normalized.slice(2)}`;
    case 'ch_vat':
      return normalized.replace(/^(CHE-\d{3}\.\d{3}\.\d{3})(MWST|TVA|IVA)$/, '$1 $2');
    default:
      return normalized;
  }
}

/** Null when the value has the format Stripe documents for its type; otherwise the reason, for a 400. */
export function taxIdFormatError(type: TaxIdType, value: string): string | null {
  const normalized = normalizeTaxIdValue(value);
  if (TAX_ID_FORMATS[type].test(forMatching(type, normalized))) return null;
  return `${value} is not a valid ${type} (${TAX_ID_EXAMPLES[type]})`;
}

export const TAX_ID_EXAMPLES: Record<TaxIdType, string> = {
  eu_vat: 'e.g. DE123456789',
  gb_vat: 'e.g. GB123456789',
  us_ein: 'e.g. 12-3456789',
  ch_vat: 'e.g. CHE-123.456.789 MWST',
  no_vat: 'e.g. 123456789MVA',
  au_abn: 'e.g. 12345678912',
  ca_bn: 'e.g. 123456789',
};

/** The member state an EU VAT ID belongs to (EL is Greece's prefix, ISO GR; XI is Northern Ireland, GB). */
export function taxIdCountry(id: TaxId): string | null {
  const normalized = normalizeTaxIdValue(id.value);
  switch (id.type) {
    case 'eu_vat': {
      const prefix = normalized.slice(0, 2);
      return prefix === 'EL' ? 'GR' : prefix === 'XI' ? 'GB' : prefix;
    }
    case 'gb_vat':
      return 'GB';
    case 'us_ein':
      return 'US';
    case 'ch_vat':
      return 'CH';
    case 'no_vat':
      return 'NO';
    case 'au_abn':
      return 'AU';
    case 'ca_bn':
      return 'CA';
  }
}

/** Tax IDs as a set: the same type and normalized value is the same ID. */
export const taxIdKey = (id: TaxId): string => `${id.type}:${normalizeTaxIdValue(id.value)}`;

/** Which of Stripe's tax IDs to delete and which of the profile's to create, so the customer ends with exactly the profile's. */
export function diffTaxIds<T extends TaxId>(
  current: readonly (T & { id: string })[],
  wanted: readonly TaxId[],
): { remove: string[]; add: TaxId[] } {
  const wantedKeys = new Set(wanted.map(taxIdKey));
  const currentKeys = new Set(current.map(taxIdKey));
  return {
    remove: current.filter((c) => !wantedKeys.has(taxIdKey(c))).map((c) => c.id),
    add: wanted.filter((w) => !currentKeys.has(taxIdKey(w))),
  };
}

/** ISO 3166-1 alpha-2 country codes (officially assigned), the form Stripe takes in `address.country`. */
const COUNTRY_CODES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO ' +
    'FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE ' +
    'JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO ' +
    'MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW ' +
    'PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM ' +
    'TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);
export const isCountryCode = (code: string): boolean => COUNTRY_CODES.has(code);

/** Stripe's limits on these fields (its API refuses longer values). */
export const PROFILE_LIMITS = { email: 512, legalName: 256, addressLine: 200 } as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Null when the profile can be written; otherwise the first problem, worded for the caller. The API checks the
 * shape with its schema first; the policy core checks this again, since a workflow update may come from anywhere.
 */
export function billingProfileError(p: BillingProfile): string | null {
  if (typeof p?.email !== 'string' || !EMAIL.test(p.email) || p.email.length > PROFILE_LIMITS.email)
    return 'email must be an email address';
  if (p.legalName !== null && (typeof p.legalName !== 'string' || p.legalName.trim() === ''))
    return 'legalName must be a non-empty string or null';
  if (p.legalName !== null && p.legalName.length > PROFILE_LIMITS.legalName)
    return `legalName is longer than ${PROFILE_LIMITS.legalName} characters`;
  if (p.address !== null) {
    const a = p.address;
    if (typeof a !== 'object') return 'address must be an object or null';
    if (typeof a.country !== 'string' || !isCountryCode(a.country))
      return `address.country must be an ISO 3166-1 alpha-2 code (e.g. DE, US), not ${String(a.country)}`;
    for (const field of ['line1', 'city', 'postalCode'] as const) {
      if (typeof a[field] !== 'string' || a[field].trim() === '') return `address.${field} is required`;
    }
    for (const field of ['line1', 'line2', 'city', 'postalCode', 'state'] as const) {
      const v = a[field];
      if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > PROFILE_LIMITS.addressLine))
        return `address.${field} must be a string of at most ${PROFILE_LIMITS.addressLine} characters`;
    }
  }
  if (!Array.isArray(p.taxIds)) return 'taxIds must be a list';
  if (p.taxIds.length > MAX_TAX_IDS) return `at most ${MAX_TAX_IDS} tax IDs`;
  const seen = new Set<string>();
  for (const id of p.taxIds) {
    if (!id || !(TAX_ID_TYPES as string[]).includes(id.type))
      return `tax ID type must be one of ${TAX_ID_TYPES.join(', ')}`;
    if (typeof id.value !== 'string') return 'tax ID value must be a string';
    const formatError = taxIdFormatError(id.type, id.value);
    if (formatError) return formatError;
    const key = taxIdKey(id);
    if (seen.has(key)) return `${id.value} is listed twice`;
    seen.add(key);
  }
  return null;
}
