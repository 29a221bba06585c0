/**
 * The currencies the catalog sells in. Every paid price exists in USD (its default) and in EUR (a Stripe
 * `currency_options` entry on the same price). EUR prices carry the same number as USD (€29.00 for $29.00): a
 * price point per currency rather than a conversion, so amounts do not move with the exchange rate. A
 * customer's currency is chosen at its first subscribe and then fixed (Stripe: one currency per customer).
 */
export const CURRENCIES = ['usd', 'eur'] as const;
export type Currency = (typeof CURRENCIES)[number];
export const DEFAULT_CURRENCY: Currency = 'usd';

/** Billing countries (ISO 3166-1 alpha-2) that default to EUR: the EU member states. */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]);

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/** The default currency for a billing country: EU member states → eur, anything else (or none) → usd. */
export function currencyForCountry(country: string | null | undefined): Currency {
  return country && EU_COUNTRIES.has(country.toUpperCase()) ? 'eur' : DEFAULT_CURRENCY;
}

/** A catalog amount (defined in USD minor units) in a currency: the same number (see above). */
export function amountIn(usdAmount: number, currency: Currency): number {
  void currency;
  return usdAmount;
}

/** The Stripe `currency_options` a USD catalog price carries: each further currency's amount. */
export function currencyOptionsFor(usdAmount: number): Record<Exclude<Currency, 'usd'>, { unit_amount: number }> {
  return { eur: { unit_amount: amountIn(usdAmount, 'eur') } };
}

/** Whether a Stripe price (expanded `currency_options`) already carries the catalog's further currencies. */
export function hasCatalogCurrencyOptions(
  options: Record<string, { unit_amount: number | null }> | undefined,
  usdAmount: number,
): boolean {
  return Object.entries(currencyOptionsFor(usdAmount)).every(
    ([currency, option]) => options?.[currency]?.unit_amount === option.unit_amount,
  );
}
