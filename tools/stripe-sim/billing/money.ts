import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import type { Sim } from '../sim';

/** `1234, 'usd'` → `$12.34` (zero-decimal currencies are not needed by this project). */
export function formatMoney(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const symbol = currency.toLowerCase() === 'usd' ? '$' : `${currency.toUpperCase()} `;
  return `${sign}${symbol}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The currencies a price can be charged in: its default `currency` and each of its `currency_options`. */
export function priceCurrencies(sim: Sim, price: Stripe.Price): string[] {
  return [price.currency, ...Object.keys(sim.state.priceCurrencyOptions[price.id] ?? {})];
}

/**
 * A price's unit amount in one currency: the default `unit_amount`, or the matching `currency_options` entry (a
 * multi-currency price charges the subscription's currency, not its default).
 */
export function unitAmountIn(sim: Sim, price: Stripe.Price, currency: string): number {
  if (currency === price.currency) return price.unit_amount ?? 0;
  const option = sim.state.priceCurrencyOptions[price.id]?.[currency];
  if (!option)
    throw invalidRequest(`The price \`${price.id}\` does not support the currency \`${currency}\`.`, 'currency');
  return option.unit_amount ?? 0;
}

/** `currency_options` is includable on a price: every currency it can be charged in, its default included. */
export function priceIncludables(sim: Sim) {
  return (record: Record<string, unknown>, field: string): { value: unknown } | undefined => {
    if (record.object !== 'price' || field !== 'currency_options') return undefined;
    const price = record as unknown as Stripe.Price;
    const own: Stripe.Price.CurrencyOptions = {
      custom_unit_amount: null,
      tax_behavior: price.tax_behavior,
      unit_amount: price.unit_amount,
      unit_amount_decimal: price.unit_amount_decimal,
    };
    return { value: { [price.currency]: own, ...(sim.state.priceCurrencyOptions[price.id] ?? {}) } };
  };
}
