import { z } from 'zod';
import type { NewPaymentMethodRow } from '../../db/read-models/payment-methods';

export const StripePaymentMethodSchema = z.looseObject({
  id: z.string().startsWith('pm_'),
  type: z.string(),
  card: z
    .looseObject({
      brand: z.string(),
      last4: z.string().length(4),
      exp_month: z.number().int(),
      exp_year: z.number().int(),
    })
    .nullish(),
});

export type StripePaymentMethod = z.infer<typeof StripePaymentMethodSchema>;

export function toPaymentMethodRow(
  pm: StripePaymentMethod,
  organizationId: string,
  observedAt: Date,
  detached: boolean,
): NewPaymentMethodRow {
  return {
    organization_id: organizationId,
    stripe_payment_method_id: pm.id,
    type: pm.type,
    brand: pm.card?.brand ?? null,
    last4: pm.card?.last4 ?? null,
    exp_month: pm.card?.exp_month ?? null,
    exp_year: pm.card?.exp_year ?? null,
    detached_at: detached ? observedAt : null,
    source_event_created_at: observedAt,
  };
}
