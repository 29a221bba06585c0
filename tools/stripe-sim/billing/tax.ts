import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import type { Sim } from '../sim';

/**
 * Stripe Tax, SIMULATED (README, "Tax"). The seller is established in SELLER_COUNTRY and registered everywhere the
 * rate table names; the rates are a small illustrative table, not Stripe's. Tax is exclusive (added on top of the
 * discounted line amount), computed per line and rounded per line. The customer's billing address is the tax location
 * (https://docs.stripe.com/tax/customer-locations): outside the US a country is enough, in the US a 5-digit postal code
 * is required (the simulator also needs the `state`, having no ZIP database). An EU customer with an `eu_vat` tax ID
 * of a member state other than the seller's is reverse-charged: tax 0 with `taxability_reason: reverse_charge`
 * (https://docs.stripe.com/tax/zero-tax). A location outside the table is `not_collecting` (tax 0).
 */
export const SELLER_COUNTRY = 'IE';

interface Rate {
  /** Basis points: 1_900 = 19 %. */
  bps: number;
  kind: 'vat' | 'sales_tax';
}

const EU_VAT: Record<string, number> = { DE: 1_900, FR: 2_000, IE: 2_300, NL: 2_100, ES: 2_100, IT: 2_200 };
const US_SALES_TAX: Record<string, number> = { CA: 725, NY: 400, TX: 625, WA: 650 };
const UK_VAT = 2_000;
const EU_MEMBERS = new Set([
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
]);

export interface TaxLocation {
  country: string;
  state: string | null;
}

/** The customer's tax location from its billing address, or null when Stripe could not recognize it. */
export function taxLocation(customer: Stripe.Customer): TaxLocation | null {
  const address = customer.address;
  const country = address?.country?.toUpperCase();
  if (!address || !country || !/^[A-Z]{2}$/.test(country)) return null;
  if (country !== 'US') return { country, state: address.state?.toUpperCase() ?? null };
  if (!/^\d{5}(-\d{4})?$/.test(address.postal_code ?? '') || !address.state) return null;
  return { country, state: address.state.toUpperCase() };
}

function rateFor(location: TaxLocation): Rate | null {
  if (location.country === 'US') {
    const bps = US_SALES_TAX[location.state ?? ''];
    return bps === undefined ? null : { bps, kind: 'sales_tax' };
  }
  if (location.country === 'GB') return { bps: UK_VAT, kind: 'vat' };
  const bps = EU_VAT[location.country];
  return bps === undefined ? null : { bps, kind: 'vat' };
}

function reverseCharged(sim: Sim, customer: Stripe.Customer, location: TaxLocation): boolean {
  if (!EU_MEMBERS.has(location.country)) return false;
  return Object.values(sim.state.taxIds).some(
    (t) =>
      t.customer === customer.id &&
      t.type === 'eu_vat' &&
      t.verification?.status !== 'unverified' &&
      t.country !== null &&
      EU_MEMBERS.has(t.country) &&
      t.country !== SELLER_COUNTRY,
  );
}

/** The id of the simulated tax rate a line is taxed at (stable per jurisdiction and treatment). */
function taxRateId(location: TaxLocation, reason: string): string {
  const jurisdiction = [location.country, location.state].filter(Boolean).join('_').toLowerCase();
  return `txr_sim_${jurisdiction}_${reason}`;
}

/** Stripe refuses to enable automatic tax for a customer whose location it cannot recognize. */
export function requireTaxLocation(customer: Stripe.Customer, param: string): void {
  if (taxLocation(customer) === null)
    throw invalidRequest(
      "The customer's location isn't recognized: automatic tax needs a valid address on the Customer (a country, and in the US a 5-digit postal code).",
      param,
      'customer_tax_location_invalid',
    );
}

export interface TaxResult {
  automaticTax: Stripe.Invoice.AutomaticTax;
  totalTaxes: Stripe.Invoice.TotalTax[];
  tax: number;
}

const DISABLED: Stripe.Invoice.AutomaticTax = {
  disabled_reason: null,
  enabled: false,
  liability: null,
  provider: null,
  status: null,
};

/**
 * Tax the invoice's lines (after their discounts) for the customer's location and set each line's `taxes`.
 * `enabled` false leaves the invoice untaxed; an unrecognized location leaves it untaxed with automatic tax disabled
 * for `finalization_requires_location_inputs`, as Stripe does when it cannot finalize with tax.
 */
export function applyTax(
  sim: Sim,
  customer: Stripe.Customer,
  lines: Stripe.InvoiceLineItem[],
  enabled: boolean,
): TaxResult {
  if (!enabled) return { automaticTax: DISABLED, totalTaxes: [], tax: 0 };
  const location = taxLocation(customer);
  if (!location)
    return {
      automaticTax: {
        ...DISABLED,
        disabled_reason: 'finalization_requires_location_inputs',
        status: 'requires_location_inputs',
      },
      totalTaxes: [],
      tax: 0,
    };
  const rate = rateFor(location);
  const reverse = rate !== null && reverseCharged(sim, customer, location);
  const reason: Stripe.Invoice.TotalTax.TaxabilityReason =
    rate === null ? 'not_collecting' : reverse ? 'reverse_charge' : 'standard_rated';
  const bps = rate === null || reverse ? 0 : rate.bps;
  const rateId = taxRateId(location, reason);
  const totals = new Map<string, Stripe.Invoice.TotalTax>();
  for (const line of lines) {
    const discounted = line.amount - (line.discount_amounts ?? []).reduce((sum, d) => sum + d.amount, 0);
    const amount = Math.round((discounted * bps) / 10_000);
    const tax: Stripe.InvoiceLineItem.Tax = {
      amount,
      tax_behavior: 'exclusive',
      tax_rate_details: { tax_rate: rateId },
      taxability_reason: reason,
      taxable_amount: discounted,
      type: 'tax_rate_details',
    };
    line.taxes = [tax];
    const total = totals.get(rateId) ?? { ...tax, amount: 0, taxable_amount: 0 };
    total.amount += amount;
    total.taxable_amount = (total.taxable_amount ?? 0) + discounted;
    totals.set(rateId, total);
  }
  const totalTaxes = [...totals.values()];
  return {
    automaticTax: {
      disabled_reason: null,
      enabled: true,
      liability: { type: 'self' },
      provider: 'stripe',
      status: 'complete',
    },
    totalTaxes,
    tax: totalTaxes.reduce((sum, t) => sum + t.amount, 0),
  };
}

/** `customer.tax` (includable): Stripe's verdict on whether automatic tax can work with this customer's location. */
export function customerTax(customer: Stripe.Customer): Stripe.Customer.Tax {
  const location = taxLocation(customer);
  return {
    automatic_tax: location === null ? 'unrecognized_location' : rateFor(location) ? 'supported' : 'not_collecting',
    ip_address: null,
    location: location && { country: location.country, source: 'billing_address', state: location.state },
    provider: 'stripe',
  };
}

/** The customer's tax IDs as an invoice shows them (`customer_tax_ids`). */
export function invoiceTaxIds(sim: Sim, customerId: string): Stripe.Invoice.CustomerTaxId[] {
  return Object.values(sim.state.taxIds)
    .filter((t) => t.customer === customerId)
    .map((t) => ({ type: t.type, value: t.value }));
}

/** A subscription's `automatic_tax` once set by a create or update request. */
export function automaticTaxOf(enabled: boolean): Stripe.Subscription.AutomaticTax {
  return { disabled_reason: null, enabled, liability: enabled ? { type: 'self' } : null };
}

/** `customer.tax` is includable: present only when `expand[]` names it. */
export function customerIncludables(record: Record<string, unknown>, field: string): { value: unknown } | undefined {
  if (record.object !== 'customer' || field !== 'tax') return undefined;
  return { value: customerTax(record as unknown as Stripe.Customer) };
}
