import type { Db } from '../../../db/database';
import { z } from '@hono/zod-openapi';
import { findCustomer, profileOf } from '../../../db/read-models/customers';
import { CURRENCIES, currencyForCountry, isCurrency, type Currency } from '../../../domain/currency';
import { ApiError } from '../../errors';

export const CurrencyInput = z.enum(CURRENCIES).openapi({
  description:
    'usd or eur. Chosen at the first subscribe and then fixed for the organization (Stripe bills a customer in one ' +
    'currency); default: the currency already fixed, else eur for a billing address in the EU, else usd',
});

/**
 * The currency the organization is already billed in, if any: the latest Stripe subscription's, else the latest
 * invoice's (Stripe fixes a customer's currency with its first subscription or invoice).
 */
export async function fixedCurrency(db: Db, organizationId: string): Promise<Currency | null> {
  const sub = await db
    .selectFrom('subscriptions')
    .select('currency')
    .where('organization_id', '=', organizationId)
    .where('stripe_subscription_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  const invoice = sub
    ? undefined
    : await db
        .selectFrom('invoices')
        .select('currency')
        .where('organization_id', '=', organizationId)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
  const currency = (sub ?? invoice)?.currency.trim().toLowerCase();
  return isCurrency(currency) ? currency : null;
}

/**
 * The subscribe's currency: the one asked for, else the one already fixed, else the billing profile's country's
 * (EU → eur), else usd. Asking for another currency than the fixed one is a 409 naming both.
 */
export async function subscribeCurrency(
  db: Db,
  organizationId: string,
  requested: Currency | undefined,
): Promise<Currency> {
  const fixed = await fixedCurrency(db, organizationId);
  if (fixed && requested && requested !== fixed)
    throw new ApiError(
      'CONFLICT',
      `This organization is billed in ${fixed.toUpperCase()}; it cannot subscribe in ${requested.toUpperCase()} (a customer's currency is fixed by its first subscription).`,
      { currency: requested, billedIn: fixed },
    );
  if (requested) return requested;
  if (fixed) return fixed;
  const customer = await findCustomer(db, organizationId);
  return currencyForCountry(customer ? profileOf(customer).address?.country : null);
}
