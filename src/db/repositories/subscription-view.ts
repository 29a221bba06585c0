import type { Db } from '../database';
import type { SubscriptionRow } from '../schema';

/** The read model of one organization's subscription, as the API shows it. */
export interface SubscriptionView {
  id: string;
  organizationId: string;
  plan: string;
  status: string;
  currency: string;
  unitAmount: number;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  pendingPlan: string | null;
  trialEnd: string | null;
  defaultPaymentMethodId: string | null;
  dunningAttempt: number;
  graceEndsAt: string | null;
  canceledAt: string | null;
  endedAt: string | null;
  updatedAt: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSubscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    organizationId: row.organization_id,
    plan: row.plan,
    status: row.status,
    currency: row.currency.trim(),
    unitAmount: row.unit_amount,
    currentPeriodStart: iso(row.current_period_start),
    currentPeriodEnd: iso(row.current_period_end),
    cancelAtPeriodEnd: row.cancel_at_period_end,
    pendingPlan: row.pending_plan,
    trialEnd: iso(row.trial_end),
    defaultPaymentMethodId: row.default_payment_method_id,
    dunningAttempt: row.dunning_attempt,
    graceEndsAt: iso(row.grace_ends_at),
    canceledAt: iso(row.canceled_at),
    endedAt: iso(row.ended_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The live subscription, or else the most recent ended one (history is never deleted). */
export async function findCurrentSubscription(db: Db, organizationId: string): Promise<SubscriptionView | null> {
  const row = await db
    .selectFrom('subscriptions')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy((eb) => eb.case().when('ended_at', 'is', null).then(0).else(1).end())
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toSubscriptionView(row) : null;
}
