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

const PAYMENT_METHOD_TYPES = ['text', 'text', 'text', 'text', 'text', 'integer', 'integer', 'timestamptz', 'timestamptz'] as const satisfies {
  length: typeof PAYMENT_METHOD_COLUMNS.length;
};

/** The same upsert for several payment methods at once (one per id: see upsertPaymentMethods), its columns as arrays. */
const UPSERT_PAYMENT_METHODS: PreparedStatement = {
  name: 'mirror_upsert_payment_methods_v1',
  text: UPSERT_PAYMENT_METHOD.text.replace(
    /values \([^)]*\)/,
    `select * from unnest(${PAYMENT_METHOD_COLUMNS.map((_, i) => `$${i + 1}::${PAYMENT_METHOD_TYPES[i]}[]`).join(', ')})`,
  ),
};

/**
 * Several payment-method observations (a relay batch's, in `created` order) in one statement. Of
 * the rows for one payment method only the one that would win when applied in order is sent: the
 * newest; on a same-second tie a later detach wins and a later attach does not (as the statement's guard decides).
 */
export async function upsertPaymentMethods(db: Db, rows: readonly NewPaymentMethodRow[]): Promise<void> {
  const winners = new Map<string, NewPaymentMethodRow>();
  for (const row of rows) {
    const held = winners.get(row.stripe_payment_method_id);
    const newer = !held || +held.source_event_created_at < +row.source_event_created_at
      || (+held.source_event_created_at === +row.source_event_created_at && row.detached_at != null);
    if (newer) winners.set(row.stripe_payment_method_id, row);
  }
  const batch = [...winners.values()];
  if (batch.length === 1) await upsertPaymentMethod(db, batch[0] as NewPaymentMethodRow);
  else if (batch.length > 1) await preparedQuery(db, UPSERT_PAYMENT_METHODS, PAYMENT_METHOD_COLUMNS.map((c) => batch.map((row) => row[c] ?? null)));
}
