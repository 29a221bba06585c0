import type { Db } from '../database';

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
