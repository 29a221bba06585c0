/** Money is always an integer amount of minor units (cents) with an ISO currency; never floats. */
export interface Money {
  amount: number;
  currency: string;
}

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

export function minorUnitDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toLowerCase()) ? 0 : 2;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer of minor units, got ${amount}`);
  return { amount, currency: currency.toLowerCase() };
}

/** Major units (e.g. dollars as a decimal string from a form) to minor units, without float rounding drift. */
export function toMinorUnits(major: string, currency: string): number {
  const digits = minorUnitDigits(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(major.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${major}`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > digits) throw new RangeError(`${major} has more than ${digits} decimals for ${currency}`);
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return sign ? -minor : minor;
}

// Constructing an Intl formatter costs far more than formatting with one (every invoice email formats
// several amounts): one per locale and currency, built on first use.
const moneyFormats = new Map<string, Intl.NumberFormat>();

export function formatMoney({ amount, currency }: Money, locale = 'en-US'): string {
  const digits = minorUnitDigits(currency);
  const key = `${locale}|${currency.toUpperCase()}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: currency.toUpperCase(),
      minimumFractionDigits: digits,
    });
    moneyFormats.set(key, format);
  }
  return format.format(amount / 10 ** digits);
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`cannot add ${a.currency} to ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

/**
 * The share of an amount for `remainingMs` of a `periodMs` period, rounded half up to a whole minor unit.
 * Stripe computes the real proration; this is for estimates shown before Stripe is asked.
 */
export function prorate(amount: number, remainingMs: number, periodMs: number): number {
  if (periodMs <= 0) throw new RangeError('period must be positive');
  const share = Math.min(Math.max(remainingMs, 0), periodMs) / periodMs;
  return Math.round(amount * share);
}
