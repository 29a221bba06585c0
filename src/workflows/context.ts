import { ActivityFailure, ApplicationFailure, log, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SubscriptionProjection } from '../activities/types';
import type { BillingPolicy } from '../domain/billing-policy';
import type { NotificationKind } from '../notifications/types';
import { usesLocalReads, writes } from './activity-proxies';
import { BillingErrorType, type StripeEventSignal } from './messages';
import { BillingDunningAttempt, BillingOrganizationId, BillingPeriodEnd, BillingPlan, BillingStatus } from './search-attributes';
import type { Lock } from './lock';
import type { SubscriptionState } from './state';

export interface WorkflowContext {
  state: SubscriptionState;
  policy: BillingPolicy;
  lock: Lock;
  /** Webhook signals accepted but not yet processed. */
  inbox: StripeEventSignal[];
  /** A new billing period started: continue-as-new once handlers are done. */
  rolloverPending: boolean;
  /** A subscribe is in flight: a concurrent one is rejected rather than queued behind it. */
  subscribing: boolean;
  /** What this run last published (search attributes and read model), without the version; unset until its first commit. */
  lastPublished?: string;
  /** The next commit publishes even if nothing changed (a reconciliation found the read model drifted). */
  republish?: boolean;
}

/** Room for a workflow task's history length below the state version in a projection's order (Temporal caps histories at 51,200 events). */
const TASK_ORDER_SCALE = 2 ** 20;

/**
 * Publishes a state change: bumps the version, refreshes search attributes and projects the read model.
 * Awaited by every handler before it returns, so the API reads its own writes. A commit that would publish
 * exactly what this run last published (a re-fetch after a redundant webhook) only bumps the version: no
 * search-attribute command, no projection (the read model's version guard only needs it to grow).
 */
export async function commit(ctx: WorkflowContext): Promise<void> {
  const s = ctx.state;
  s.stateVersion++;
  const published = publishedState(ctx);
  const key = JSON.stringify(published);
  if (key === ctx.lastPublished && !ctx.republish && patched('publish-only-changes')) return;
  upsertSearchAttributes([
    { key: BillingOrganizationId, value: s.organizationId },
    { key: BillingPlan, value: s.plan },
    { key: BillingStatus, value: s.status },
    { key: BillingDunningAttempt, value: s.dunning?.failedAttempts ?? 0 },
    { key: BillingPeriodEnd, value: s.currentPeriodEnd === null ? null : new Date(s.currentPeriodEnd) },
  ]);
  if (s.stripeSubscriptionId !== null) await writes().projectSubscription({ ...published, stripeSubscriptionId: s.stripeSubscriptionId, stateVersion: projectionOrder(s.stateVersion) });
  ctx.lastPublished = key;
  ctx.republish = false;
}

/**
 * The read model keeps the projection of the highest order. With local reads (activity-proxies.ts) two attempts
 * of one workflow task may commit the same state version with different contents: a local read is recorded only
 * when its task completes, so a task that failed after projecting (a signal arriving as the run continues as new)
 * reads Stripe again on its retry. The retry must win; its history is longer (the failure and the new task are
 * in it), so the order is the state version, then the task's history length. Before the patch, the version alone.
 */
function projectionOrder(stateVersion: number): number {
  return usesLocalReads() ? stateVersion * TASK_ORDER_SCALE + workflowInfo().historyLength : stateVersion;
}

function publishedState(ctx: WorkflowContext): Omit<SubscriptionProjection, 'stateVersion' | 'stripeSubscriptionId'> & { stripeSubscriptionId: string | null } {
  const s = ctx.state;
  return {
    organizationId: s.organizationId,
    workflowId: workflowInfo().workflowId,
    stripeCustomerId: s.stripeCustomerId,
    stripeSubscriptionId: s.stripeSubscriptionId,
    plan: s.plan,
    status: s.status,
    currency: s.currency,
    unitAmount: s.unitAmount,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pendingPlan: s.pendingPlan,
    trialEnd: s.trialEnd,
    defaultPaymentMethodId: s.defaultPaymentMethodId,
    dunningAttempt: s.dunning?.failedAttempts ?? 0,
    graceEndsAt: s.dunning?.schedule.graceEndsAt ?? null,
    canceledAt: s.canceledAt,
    endedAt: s.endedAt,
  };
}

/**
 * Enqueues a customer email. A notification that cannot be stored (after the activity's retries) is
 * logged, never allowed to fail the subscription: billing must go on without its email.
 */
export async function notify(ctx: WorkflowContext, kind: NotificationKind, dedupeKey: string, data: Record<string, string | number | boolean | null>): Promise<unknown> {
  try {
    return await writes().notify({ organizationId: ctx.state.organizationId, kind, dedupeKey: `${kind}:${dedupeKey}`, data });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.error('notification not stored', { kind, dedupeKey, error: err.cause?.message ?? err.message });
    return null;
  }
}

export function rejection(type: BillingErrorType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

/**
 * An update must fail with a typed ApplicationFailure (any other error would fail the workflow task and
 * retry forever). Activity failures keep the type the activity classified; exhausted retries of transient
 * Stripe errors become StripeUnavailable.
 */
export function toUpdateFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    const known = Object.values(BillingErrorType).includes(cause.type as BillingErrorType);
    return ApplicationFailure.create({
      type: known && cause.type ? cause.type : BillingErrorType.StripeUnavailable,
      message: cause.message,
      nonRetryable: true,
      details: cause.details ? [...cause.details] : undefined,
    });
  }
  return rejection(BillingErrorType.StripeUnavailable, err instanceof Error ? err.message : String(err));
}
