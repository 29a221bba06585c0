import type { Insertable, Selectable } from 'kysely';
import type { SubscriptionProjection } from '../../activities/types';
import type { PaymentAction } from '../../domain/subscription/payment-action';
import type { Contract } from '../../domain/contract';
import type { PauseBehavior } from '../../domain/pause';
import type { DiscountView } from '../../domain/discounts';
import { DEFAULT_TERMS, type AddOnId, type BillingInterval } from '../../domain/pricing';
import { preparedQuery, type Db } from '../database';
import type { SubscriptionsTable } from '../schema';

/**
 * The `subscriptions` read model: the workflow's projection of one Stripe subscription. This module is
 * its only writer (projectSubscription) and owns its ordering guard and its API shape.
 */
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type NewSubscriptionRow = Insertable<SubscriptionsTable>;

/** One organization's subscription as the API shows it (GET /subscription and every mutation's answer). */
export interface SubscriptionApiView {
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
  /** retrying, action_required (the customer must authenticate) or grace; null outside dunning. */
  dunningPhase: string | null;
  /** The dunning phase's next date: the next retry, else the end of grace. */
  dunningNextActionAt: string | null;
  /** A payment waiting for the customer: complete it with Stripe.js (clientSecret) or on the hosted invoice page. */
  paymentAction: PaymentAction | null;
  /** The plan an upgrade applies once its payment is authenticated. */
  pendingUpgradePlan: string | null;
  interval: BillingInterval;
  /** Purchased seats beyond the plan's included ones. */
  seats: number;
  addOns: Partial<Record<AddOnId, number>>;
  /** What the subscription renews on at the period end (a subscription schedule holds it; resume undoes it). */
  scheduledChange: {
    plan: string;
    interval: BillingInterval;
    seats: number;
    addOns: Partial<Record<AddOnId, number>>;
    effectiveAt: string | null;
  } | null;
  /** While paused: with access (keep_access) or on free limits (no_access), until resumesAt (null = until resumed). */
  pause: { behavior: PauseBehavior; resumesAt: string | null } | null;
  /** The promotion code's discount (null: none). */
  discount: DiscountView | null;
  /** The enterprise contract in force (price, limits, collection), or null on a catalog plan. */
  contract: Contract | null;
  /** Collection by invoice: the invoice awaiting payment and when it is due. */
  invoiceDue: { invoiceId: string; amountDue: number; currency: string; dueAt: string } | null;
  canceledAt: string | null;
  endedAt: string | null;
  updatedAt: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const VIEW_COLUMNS = [
  'id',
  'organization_id',
  'plan',
  'status',
  'currency',
  'unit_amount',
  'current_period_start',
  'current_period_end',
  'cancel_at_period_end',
  'pending_plan',
  'trial_end',
  'default_payment_method_id',
  'dunning_attempt',
  'grace_ends_at',
  'dunning_phase',
  'dunning_next_action_at',
  'payment_action',
  'pending_upgrade_plan',
  'terms',
  'scheduled_change',
  'pause',
  'discount',
  'contract',
  'invoice_due',
  'canceled_at',
  'ended_at',
  'updated_at',
] as const satisfies readonly (keyof SubscriptionRow)[];
type SubscriptionViewRow = Pick<SubscriptionRow, (typeof VIEW_COLUMNS)[number]>;

export function toSubscriptionApiView(row: SubscriptionViewRow): SubscriptionApiView {
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
    dunningPhase: row.dunning_phase,
    dunningNextActionAt: iso(row.dunning_next_action_at),
    paymentAction: row.payment_action,
    pendingUpgradePlan: row.pending_upgrade_plan,
    ...(row.terms ?? DEFAULT_TERMS),
    scheduledChange: row.scheduled_change && {
      ...row.scheduled_change,
      effectiveAt:
        row.scheduled_change.effectiveAt === null ? null : new Date(row.scheduled_change.effectiveAt).toISOString(),
    },
    pause: row.pause && {
      behavior: row.pause.behavior,
      resumesAt: row.pause.resumesAt === null ? null : new Date(row.pause.resumesAt).toISOString(),
    },
    discount: row.discount ?? null,
    contract: row.contract,
    invoiceDue: row.invoice_due && { ...row.invoice_due, dueAt: new Date(row.invoice_due.dueAt).toISOString() },
    canceledAt: iso(row.canceled_at),
    endedAt: iso(row.ended_at),
    updatedAt: row.updated_at.toISOString(),
  };
}

// Raw: a named prepared statement is its text. GET /subscription runs this on every page load; as a prepared statement Postgres skips parsing
// and planning (subscriptions_org_created serves it; an organization has a handful of rows at most).
const CURRENT_SUBSCRIPTION = {
  name: 'subscription_view_current_v6',
  text: `select ${VIEW_COLUMNS.join(', ')} from subscriptions where organization_id = $1
    order by ended_at is null desc, created_at desc limit 1`,
};

/** The live subscription, or else the most recent ended one (history is never deleted). */
export async function findCurrentSubscription(db: Db, organizationId: string): Promise<SubscriptionApiView | null> {
  const [row] = await preparedQuery<SubscriptionViewRow>(db, CURRENT_SUBSCRIPTION, [organizationId]);
  return row ? toSubscriptionApiView(row) : null;
}

/** The order of a projection: the workflow's state version, then the history length of the task that wrote it. */
export interface ProjectionOrder {
  stateVersion: number;
  historyLength: number;
}

const LEGACY_TASK_ORDER_SCALE = 2 ** 20;

/**
 * A projection recorded before `historyLength` existed carries both numbers in `stateVersion`
 * (`stateVersion * 2^20 + historyLength`, or the plain version before local reads); activity inputs in
 * histories and in flight keep that form, so it is decoded here.
 */
export function projectionOrder(p: Pick<SubscriptionProjection, 'stateVersion' | 'historyLength'>): ProjectionOrder {
  if (p.historyLength !== undefined) return { stateVersion: p.stateVersion, historyLength: p.historyLength };
  if (p.stateVersion < LEGACY_TASK_ORDER_SCALE) return { stateVersion: p.stateVersion, historyLength: 0 };
  return {
    stateVersion: Math.floor(p.stateVersion / LEGACY_TASK_ORDER_SCALE),
    historyLength: p.stateVersion % LEGACY_TASK_ORDER_SCALE,
  };
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * Upserts the row of one Stripe subscription. Guarded by the projection order, compared as the pair
 * (state_version, history_length): a delayed retry of an older projection never overwrites a newer one
 * (applied: false).
 */
export async function projectSubscription(db: Db, p: SubscriptionProjection): Promise<{ applied: boolean }> {
  const order = projectionOrder(p);
  const row = {
    organization_id: p.organizationId,
    workflow_id: p.workflowId,
    stripe_customer_id: p.stripeCustomerId,
    stripe_subscription_id: p.stripeSubscriptionId,
    plan: p.plan,
    status: p.status,
    currency: p.currency,
    unit_amount: p.unitAmount,
    current_period_start: date(p.currentPeriodStart),
    current_period_end: date(p.currentPeriodEnd),
    cancel_at_period_end: p.cancelAtPeriodEnd,
    pending_plan: p.pendingPlan,
    trial_end: date(p.trialEnd),
    default_payment_method_id: p.defaultPaymentMethodId,
    dunning_attempt: p.dunningAttempt,
    grace_ends_at: date(p.graceEndsAt),
    dunning_phase: p.dunningPhase ?? null,
    dunning_next_action_at: date(p.dunningNextActionAt ?? null),
    payment_action: p.paymentAction ? JSON.stringify(p.paymentAction) : null,
    pending_upgrade_plan: p.pendingUpgradePlan ?? null,
    terms:
      p.interval === undefined
        ? null
        : JSON.stringify({ interval: p.interval, seats: p.seats ?? 0, addOns: p.addOns ?? {} }),
    scheduled_change: p.scheduledChange ? JSON.stringify(p.scheduledChange) : null,
    pause: p.pause ? JSON.stringify(p.pause) : null,
    discount: p.discount ? JSON.stringify(p.discount) : null,
    contract: p.contract ? JSON.stringify(p.contract) : null,
    invoice_due: p.invoiceDue ? JSON.stringify(p.invoiceDue) : null,
    canceled_at: date(p.canceledAt),
    ended_at: date(p.endedAt),
    state_version: order.stateVersion,
    history_length: order.historyLength,
    updated_at: new Date(),
  };
  const { organization_id: _org, stripe_subscription_id: _sub, ...changes } = row;
  const result = await db
    .insertInto('subscriptions')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('stripe_subscription_id')
        .doUpdateSet(changes)
        .where(({ eb, refTuple, tuple }) =>
          eb(
            refTuple('subscriptions.state_version', 'subscriptions.history_length'),
            '<',
            tuple(order.stateVersion, order.historyLength),
          ),
        ),
    )
    .executeTakeFirst();
  return { applied: Number(result.numInsertedOrUpdatedRows ?? 0) > 0 };
}

/** What reconciliation compares with Stripe, by Stripe subscription id. */
export function findSubscriptionFacts(db: Db, stripeSubscriptionId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['organization_id', 'status', 'cancel_at_period_end', 'current_period_end'])
    .where('stripe_subscription_id', '=', stripeSubscriptionId)
    .executeTakeFirst();
}

/** The organization of the latest subscription of a Stripe customer (an event's owner when the customer row is missing). */
export async function organizationOfCustomerSubscription(db: Db, stripeCustomerId: string): Promise<string | null> {
  const row = await db
    .selectFrom('subscriptions')
    .select('organization_id')
    .where('stripe_customer_id', '=', stripeCustomerId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.organization_id ?? null;
}

/** Live subscriptions counted by plan and status, and those in dunning by attempt (the read-model gauges). */
export function countLiveSubscriptions(db: Db) {
  return db
    .selectFrom('subscriptions')
    .select((eb) => ['plan', 'status', eb.fn.countAll<number>().as('n')])
    .where('ended_at', 'is', null)
    .groupBy(['plan', 'status'])
    .execute();
}

export function countDunningSubscriptions(db: Db) {
  return db
    .selectFrom('subscriptions')
    .select((eb) => ['dunning_attempt', eb.fn.countAll<number>().as('n')])
    .where('ended_at', 'is', null)
    .where('dunning_attempt', '>', 0)
    .groupBy('dunning_attempt')
    .execute();
}
