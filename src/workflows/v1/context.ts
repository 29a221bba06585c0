import {
  ActivityFailure,
  ApplicationFailure,
  log,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SubscriptionProjection } from '../../activities/types';
import type { BillingPolicy } from '../../domain/billing-policy';
import type { NotificationKind } from '../../notifications/types';
import { usesLocalReads, writes } from './activity-proxies';
import { BillingErrorType, type StripeEventSignal } from '../messages';
import {
  BillingDunningAttempt,
  BillingOrganizationId,
  BillingPeriodEnd,
  BillingPlan,
  BillingStatus,
} from '../search-attributes';
import type { Lock } from '../lock';
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
  if (s.stripeSubscriptionId !== null)
    await writes().projectSubscription({
      ...published,
      stripeSubscriptionId: s.stripeSubscriptionId,
      stateVersion: s.stateVersion,
      historyLength: projectionHistoryLength(),
    });
  ctx.lastPublished = key;
  ctx.republish = false;
}

/**
 * The read model orders projections by (version, history length). Before the reads became local activities
 * (patch below) the version alone ordered them; those runs send 0.
 */
function projectionHistoryLength(): number {
  return usesLocalReads() ? workflowInfo().historyLength : 0;
}

function publishedState(ctx: WorkflowContext): Omit<
  SubscriptionProjection,
  'stateVersion' | 'historyLength' | 'stripeSubscriptionId'
> & {
  stripeSubscriptionId: string | null;
} {
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
export async function notify(
  ctx: WorkflowContext,
  kind: NotificationKind,
  dedupeKey: string,
  data: Record<string, string | number | boolean | null>,
): Promise<unknown> {
  try {
    return await writes().notify({
      organizationId: ctx.state.organizationId,
      kind,
      dedupeKey: `${kind}:${dedupeKey}`,
      data,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.error('notification not stored', { kind, dedupeKey, error: err.cause?.message ?? err.message });
    return null;
  }
}

export function rejection(type: BillingErrorType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
  });
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
