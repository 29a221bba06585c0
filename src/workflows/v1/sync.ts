import { log } from '@temporalio/workflow';
import type { InvoiceSnapshot, SubscriptionSnapshot } from '../../activities/types';
import { getPlan } from '../../domain/plans';
import { fromStripeStatus } from '../../domain/subscription-status';
import { reads } from './activity-proxies';
import { commit, notify, type WorkflowContext } from './context';
import { backstopFor } from '../../domain/subscription/deadlines';
import { endDunning, startDunning } from './dunning';

/** Webhooks are triggers, Stripe is the truth: re-fetch and reconcile, whatever order events came in. */
export async function syncFromStripe(ctx: WorkflowContext): Promise<void> {
  const id = ctx.state.stripeSubscriptionId;
  if (id === null) return;
  const snapshot = await reads().fetchSubscription({ subscriptionId: id, asOf: Date.now() });
  await applySnapshot(ctx, snapshot);
}

/**
 * Folds Stripe's view into the state and publishes it. A renewal (the period moved forward) applies a pending
 * downgrade — Stripe already bills the lower price from that renewal on — and asks for continue-as-new.
 */
export async function applySnapshot(ctx: WorkflowContext, snap: SubscriptionSnapshot): Promise<void> {
  const s = ctx.state;
  if (snap.id !== s.stripeSubscriptionId) return;
  const renewed = s.currentPeriodEnd !== null && snap.currentPeriodEnd > s.currentPeriodEnd;
  if (renewed) {
    s.plan = snap.plan ?? s.pendingPlan ?? s.plan;
    s.pendingPlan = null;
    ctx.rolloverPending = true;
  } else if (snap.plan !== null && snap.plan !== s.pendingPlan) {
    // Changed in Stripe directly (Dashboard) or by our own upgrade: Stripe wins.
    s.plan = snap.plan;
  }
  if (snap.plan === s.plan) s.unitAmount = snap.unitAmount;
  s.currency = snap.currency;
  s.stripeCustomerId = snap.customerId;
  s.currentPeriodStart = snap.currentPeriodStart;
  s.currentPeriodEnd = snap.currentPeriodEnd;
  s.trialEnd = snap.trialEnd;
  s.cancelAtPeriodEnd = snap.cancelAtPeriodEnd;
  s.defaultPaymentMethodId = snap.defaultPaymentMethodId;
  s.canceledAt = snap.canceledAt;
  const status = fromStripeStatus(snap.stripeStatus);

  if (status === 'canceled') return endSubscription(ctx, snap.endedAt ?? Date.now(), endReason(snap));

  await reconcileDunning(ctx, snap.latestInvoice);
  s.status = s.dunning ? 'past_due' : status;
  s.backstopAt = backstopFor(s, Date.now(), ctx.policy);
  await commit(ctx);
}

async function reconcileDunning(ctx: WorkflowContext, latest: InvoiceSnapshot | null): Promise<void> {
  const dunning = ctx.state.dunning;
  if (dunning) {
    const invoice =
      latest?.id === dunning.invoiceId
        ? latest
        : await reads().fetchInvoice({ invoiceId: dunning.invoiceId, asOf: Date.now() });
    if (invoice.status !== 'open') await endDunning(ctx, invoice);
    return;
  }
  if (latest && latest.status === 'open' && latest.attemptCount > 0 && latest.amountRemaining > 0) {
    await startDunning(ctx, latest);
  }
}

function endReason(snap: SubscriptionSnapshot): 'trial_without_payment_method' | 'canceled' {
  const trialEndedUnpaid =
    snap.trialEnd !== null && snap.defaultPaymentMethodId === null && (snap.endedAt ?? 0) >= snap.trialEnd;
  return trialEndedUnpaid ? 'trial_without_payment_method' : 'canceled';
}

/** The subscription is over: the organization falls back to free; nothing is deleted. */
export async function endSubscription(
  ctx: WorkflowContext,
  endedAt: number,
  reason: 'trial_without_payment_method' | 'canceled' | 'dunning_exhausted',
): Promise<void> {
  const s = ctx.state;
  const endedPlan = s.plan;
  s.status = 'canceled';
  s.plan = 'free';
  s.pendingPlan = null;
  s.unitAmount = getPlan('free').price.unitAmount ?? 0;
  s.cancelAtPeriodEnd = false;
  s.dunning = null;
  s.backstopAt = null;
  s.endedAt = endedAt;
  s.canceledAt = s.canceledAt ?? endedAt;
  log.info('subscription ended', { reason, endedPlan });
  await commit(ctx);
  const kind =
    reason === 'trial_without_payment_method' ? 'trial_ended_without_payment_method' : 'subscription_canceled';
  const at = new Date(endedAt).toISOString();
  await notify(
    ctx,
    kind,
    s.stripeSubscriptionId ?? 'none',
    kind === 'trial_ended_without_payment_method'
      ? { plan: endedPlan, trialEndedAt: at }
      : { plan: endedPlan, canceledAt: at, reason: reason === 'dunning_exhausted' ? 'nonpayment' : 'requested' },
  );
}
