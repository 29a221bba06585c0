import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/database';
import type { NewPaymentMethodRow } from '../../db/schema';

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
 * same-second tie a detach wins: a card attached and detached within a second is gone.
 */
export async function upsertPaymentMethod(db: Db, row: NewPaymentMethodRow): Promise<boolean> {
  const { organization_id: _org, stripe_payment_method_id: _id, ...changes } = row;
  const result = await db
    .insertInto('payment_methods')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('stripe_payment_method_id')
        .doUpdateSet({ ...changes, updated_at: sql`now()` })
        .where((eb) =>
          eb.or([
            eb('payment_methods.source_event_created_at', '<', eb.ref('excluded.source_event_created_at')),
            eb.and([eb('payment_methods.source_event_created_at', '=', eb.ref('excluded.source_event_created_at')), eb('excluded.detached_at', 'is not', null)]),
          ]),
        ),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
