import { z } from 'zod';
import type { NewPaymentMethodRow } from '../../db/schema';
import { mirrorUpsert } from './upsert';

export const StripePaymentMethodSchema = z.looseObject({
  id: z.string().startsWith('pm_'),
  type: z.string(),
  card: z.looseObject({ brand: z.string(), last4: z.string().length(4), exp_month: z.number().int(), exp_year: z.number().int() }).nullish(),
});

export type StripePaymentMethod = z.infer<typeof StripePaymentMethodSchema>;

export function toPaymentMethodRow(pm: StripePaymentMethod, organizationId: string, observedAt: Date, detached: boolean): NewPaymentMethodRow {
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

/**
 * Insert or update unless a newer observation already wrote the row. `is_default` belongs to the
 * customer's invoice settings, not to payment-method events, so it is left alone here. On a
 * same-second tie a detach wins (a card attached and detached within a second is gone) and an attach does not.
 */
const paymentMethods = mirrorUpsert<NewPaymentMethodRow>({
  name: 'mirror_upsert_payment_method',
  table: 'payment_methods',
  columns: [
    ['organization_id', 'text'], ['stripe_payment_method_id', 'text'], ['type', 'text'], ['brand', 'text'], ['last4', 'text'],
    ['exp_month', 'integer'], ['exp_year', 'integer'], ['detached_at', 'timestamptz'], ['source_event_created_at', 'timestamptz'],
  ],
  guard: `payment_methods.source_event_created_at < excluded.source_event_created_at
      or (payment_methods.source_event_created_at = excluded.source_event_created_at and excluded.detached_at is not null)`,
  replaces: (held, next) =>
    +held.source_event_created_at < +next.source_event_created_at ||
    (+held.source_event_created_at === +next.source_event_created_at && next.detached_at != null),
});

export const upsertPaymentMethod = paymentMethods.one;
/** A relay batch's payment-method observations, in `created` order, in one statement. */
export const upsertPaymentMethods = paymentMethods.many;
