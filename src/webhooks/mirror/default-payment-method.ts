import { z } from 'zod';
import { preparedQuery, type Db, type PreparedStatement } from '../../db/database';

export const StripeCustomerSchema = z.looseObject({
  id: z.string().startsWith('cus_'),
  invoice_settings: z.looseObject({ default_payment_method: z.union([z.string(), z.looseObject({ id: z.string() })]).nullish() }).nullish(),
});

/**
 * Records the organization's default card from a customer.* event. The customer row remembers the
 * `created` of the event that set it, so an older event arriving late changes nothing.
 */
export async function mirrorDefaultPaymentMethod(db: Db, customer: z.infer<typeof StripeCustomerSchema>, organizationId: string, observedAt: Date): Promise<boolean> {
  const pm = customer.invoice_settings?.default_payment_method;
  const defaultId = typeof pm === 'string' ? pm : (pm?.id ?? null);
  const claimed = await db
    .updateTable('billing_customers')
    .set({ default_payment_method_id: defaultId, default_payment_method_event_at: observedAt })
    .where('organization_id', '=', organizationId)
    .where('stripe_customer_id', '=', customer.id)
    .where((eb) => eb.or([eb('default_payment_method_event_at', 'is', null), eb('default_payment_method_event_at', '<=', observedAt)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return false;
  await applyDefaultFlag(db, organizationId);
  return true;
}

/**
 * `payment_methods.is_default` follows the customer's recorded default, whichever of the customer
 * and payment-method events was mirrored first (Stripe sends them in the same second).
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
