import { z } from 'zod';
import type { Db } from '../../db/database';
import { recordDefaultPaymentMethod } from '../../db/read-models/customers';

export const StripeCustomerSchema = z.looseObject({
  id: z.string().startsWith('cus_'),
  invoice_settings: z
    .looseObject({ default_payment_method: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish() })
    .nullish(),
});

/** Records the organization's default card from a customer.* event (an older event arriving late changes nothing). */
export async function mirrorDefaultPaymentMethod(
  db: Db,
  customer: z.infer<typeof StripeCustomerSchema>,
  organizationId: string,
  observedAt: Date,
): Promise<boolean> {
  const pm = customer.invoice_settings?.default_payment_method;
  const defaultPaymentMethodId = typeof pm === 'string' ? pm : (pm?.id ?? null);
  return recordDefaultPaymentMethod(db, {
    organizationId,
    stripeCustomerId: customer.id,
    defaultPaymentMethodId,
    observedAt,
  });
}
