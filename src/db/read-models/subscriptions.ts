import { preparedQuery, type Db } from '../database';
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

const VIEW_COLUMNS = [
  'id', 'organization_id', 'plan', 'status', 'currency', 'unit_amount', 'current_period_start', 'current_period_end',
  'cancel_at_period_end', 'pending_plan', 'trial_end', 'default_payment_method_id', 'dunning_attempt', 'grace_ends_at',
  'canceled_at', 'ended_at', 'updated_at',
] as const satisfies readonly (keyof SubscriptionRow)[];
type SubscriptionViewRow = Pick<SubscriptionRow, (typeof VIEW_COLUMNS)[number]>;

export function toSubscriptionView(row: SubscriptionViewRow): SubscriptionView {
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

// GET /subscription runs this on every page load; as a prepared statement Postgres skips parsing
// and planning (subscriptions_org_created serves it; an organization has a handful of rows at most).
const CURRENT_SUBSCRIPTION = {
  name: 'subscription_view_current_v1',
  text: `select ${VIEW_COLUMNS.join(', ')} from subscriptions where organization_id = $1
    order by ended_at is null desc, created_at desc limit 1`,
};

/** The live subscription, or else the most recent ended one (history is never deleted). */
export async function findCurrentSubscription(db: Db, organizationId: string): Promise<SubscriptionView | null> {
  const [row] = await preparedQuery<SubscriptionViewRow>(db, CURRENT_SUBSCRIPTION, [organizationId]);
  return row ? toSubscriptionView(row) : null;
}
