/**
 * STRIPE_TAX: Stripe Tax computes the tax of a subscription's invoices and of previews from the customer's address
 * (https://docs.stripe.com/tax/subscriptions). The parameter goes on every subscription create and on the updates that
 * change what is billed, and on every preview, so that the amounts shown equal the invoice Stripe will issue.
 */
export function automaticTaxParams(enabled: boolean | undefined): { automatic_tax?: { enabled: true } } {
  return enabled ? { automatic_tax: { enabled: true } } : {};
}

/** The tax on a Stripe invoice or preview, and whether it was reverse-charged (the customer accounts for the VAT). */
export function taxOf(invoice: {
  total_taxes?: readonly { amount: number; taxability_reason?: string | null }[] | null;
}): { tax: number; reverseCharge: boolean } {
  const taxes = invoice.total_taxes ?? [];
  return {
    tax: taxes.reduce((sum, t) => sum + t.amount, 0),
    reverseCharge: taxes.some((t) => t.taxability_reason === 'reverse_charge'),
  };
}
