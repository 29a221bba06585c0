import type { Insertable, Selectable } from 'kysely';
import { preparedQuery, type Db, type PreparedStatement } from '../database';
import type { PaymentMethodsTable } from '../schema';
import { guardedUpsert } from './guarded-upsert';

/**
 * The `payment_methods` read model: cards mirrored from payment_method.* events, flagged with the
 * customer's default. This module is its only writer and owns its ordering guard and its API shape.
 */
export type PaymentMethodRow = Selectable<PaymentMethodsTable>;
export type NewPaymentMethodRow = Insertable<PaymentMethodsTable>;

export interface PaymentMethodView {
  id: string;
  type: string;
  brand: string | null;
  last4: string | null;
  expMonth: number | null;
  expYear: number | null;
  isDefault: boolean;
  createdAt: string;
}

/** Attached payment methods, the default first. Detached ones are kept in the table but not listed. */
export async function listPaymentMethods(db: Db, organizationId: string): Promise<PaymentMethodView[]> {
  const rows = await db
    .selectFrom('payment_methods')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('detached_at', 'is', null)
    .orderBy('is_default', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.stripe_payment_method_id,
    type: r.type,
    brand: r.brand,
    last4: r.last4?.trim() ?? null,
    expMonth: r.exp_month,
    expYear: r.exp_year,
    isDefault: r.is_default,
    createdAt: r.created_at.toISOString(),
  }));
}

/**
 * Insert or update unless a newer observation already wrote the row. `is_default` belongs to the
 * customer's invoice settings, not to payment-method events, so it is left alone here. On a
 * same-second tie a detach wins (a card attached and detached within a second is gone) and an attach does not.
 */
const paymentMethods = guardedUpsert<NewPaymentMethodRow>({
  name: 'mirror_upsert_payment_method',
  table: 'payment_methods',
  columns: [
    ['organization_id', 'text'],
    ['stripe_payment_method_id', 'text'],
    ['type', 'text'],
    ['brand', 'text'],
    ['last4', 'text'],
    ['exp_month', 'integer'],
    ['exp_year', 'integer'],
    ['detached_at', 'timestamptz'],
    ['source_event_created_at', 'timestamptz'],
  ],
  guard: `payment_methods.source_event_created_at < excluded.source_event_created_at
      or (payment_methods.source_event_created_at = excluded.source_event_created_at and excluded.detached_at is not null)`,
});

export const upsertPaymentMethod = paymentMethods.one;
/** A relay batch's payment-method observations, in `created` order. */
export const upsertPaymentMethods = paymentMethods.many;

/**
 * `payment_methods.is_default` follows the customer's recorded default, whichever of the customer
 * and payment-method events was mirrored first (Stripe sends them in the same second). Raw: a named
 * prepared statement is its text.
 */
const APPLY_DEFAULT_FLAG: PreparedStatement = {
  name: 'mirror_apply_default_flag_v1',
  text: `update payment_methods
    set is_default = stripe_payment_method_id is not distinct from (select default_payment_method_id from billing_customers where organization_id = $1::text),
      updated_at = now()
    where organization_id = $1::text`,
};

/** Runs after every payment-method event the relay mirrors, so it is a named prepared statement. */
export async function applyDefaultFlag(db: Db, organizationId: string): Promise<void> {
  await preparedQuery(db, APPLY_DEFAULT_FLAG, [organizationId]);
}

const APPLY_DEFAULT_FLAGS: PreparedStatement = {
  name: 'mirror_apply_default_flags_v1',
  text: `update payment_methods p
    set is_default = p.stripe_payment_method_id is not distinct from (select b.default_payment_method_id from billing_customers b where b.organization_id = p.organization_id),
      updated_at = now()
    where p.organization_id = any($1::text[])`,
};

/** applyDefaultFlag for several organizations in one statement (a relay batch's). */
export async function applyDefaultFlags(db: Db, organizationIds: readonly string[]): Promise<void> {
  if (organizationIds.length === 1) await applyDefaultFlag(db, organizationIds[0] as string);
  else if (organizationIds.length > 1) await preparedQuery(db, APPLY_DEFAULT_FLAGS, [[...new Set(organizationIds)]]);
}

/** The organization a payment method was mirrored for (a detached card's event carries no customer). */
export async function organizationOfPaymentMethod(db: Db, stripePaymentMethodId: string): Promise<string | null> {
  const row = await db
    .selectFrom('payment_methods')
    .select('organization_id')
    .where('stripe_payment_method_id', '=', stripePaymentMethodId)
    .executeTakeFirst();
  return row?.organization_id ?? null;
}
