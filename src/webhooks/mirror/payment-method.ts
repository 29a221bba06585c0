import { z } from 'zod';
import { preparedQuery, type Db, type PreparedStatement } from '../../db/database';
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

const PAYMENT_METHOD_COLUMNS = [
  'organization_id', 'stripe_payment_method_id', 'type', 'brand', 'last4', 'exp_month', 'exp_year', 'detached_at', 'source_event_created_at',
] as const satisfies readonly (keyof NewPaymentMethodRow)[];

/**
 * Insert or update unless a newer observation already wrote the row. `is_default` belongs to the
 * customer's invoice settings, not to payment-method events, so it is left alone here. On a
 * same-second tie a detach wins: a card attached and detached within a second is gone. A named
 * prepared statement, like the invoice's: the relay runs it for every payment-method event.
 */
const UPSERT_PAYMENT_METHOD: PreparedStatement = {
  name: 'mirror_upsert_payment_method_v1',
  text: `insert into payment_methods (${PAYMENT_METHOD_COLUMNS.join(', ')})
    values (${PAYMENT_METHOD_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    on conflict (stripe_payment_method_id) do update set
      ${PAYMENT_METHOD_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
    where payment_methods.source_event_created_at < excluded.source_event_created_at
      or (payment_methods.source_event_created_at = excluded.source_event_created_at and excluded.detached_at is not null)
    returning stripe_payment_method_id`,
};

export async function upsertPaymentMethod(db: Db, row: NewPaymentMethodRow): Promise<boolean> {
  const rows = await preparedQuery(db, UPSERT_PAYMENT_METHOD, PAYMENT_METHOD_COLUMNS.map((c) => row[c] ?? null));
  return rows.length > 0;
}
