import { currentUpdateInfo, log } from '@temporalio/workflow';
import { decideCancel, decideResume } from '../../domain/cancellation';
import { decidePlanChange, trialDaysFor, type PlanChangeActor } from '../../domain/plan-change';
import type { PlanId } from '../../domain/plans';
import { reads, stripe } from './activity-proxies';
import { commit, rejection, type WorkflowContext } from './context';
import { retryPayment } from './dunning';
import {
  BillingErrorType,
  type CancelArgs,
  type ChangePlanArgs,
  type ChangePlanResult,
  type ExtendTrialArgs,
  type SubscribeArgs,
  type SubscriptionView,
  type UpdatePaymentMethodArgs,
  type UpdatePaymentMethodResult,
} from '../messages';
import { toView } from './state';
import { applySnapshot } from './sync';

/** The business step of the current update (its id is the caller's Idempotency-Key): stable across retries. */
const step = (operation: string): string => `${operation}:${currentUpdateInfo()?.id ?? 'internal'}`;

function subscriptionId(ctx: WorkflowContext): string {
  const id = ctx.state.stripeSubscriptionId;
  if (id === null) throw rejection(BillingErrorType.NoActiveSubscription, 'there is no subscription yet');
  return id;
}

export async function subscribe(ctx: WorkflowContext, args: SubscribeArgs): Promise<SubscriptionView> {
  const s = ctx.state;
  const asOf = Date.now();
  const customer = await stripe.ensureCustomer({ organizationId: s.organizationId, email: args.email, asOf });
  s.stripeCustomerId = customer.customerId;
  const paymentMethodId = args.paymentMethodId
    ? (
        await stripe.attachPaymentMethod({
          organizationId: s.organizationId,
          customerId: customer.customerId,
          paymentMethodId: args.paymentMethodId,
          subscriptionId: null,
        })
      ).paymentMethodId
    : null;
  const snapshot = await stripe.createSubscription({
    organizationId: s.organizationId,
    customerId: customer.customerId,
    plan: args.plan,
    trialDays: trialDaysFor(args),
    paymentMethodId,
    step: step('subscribe'),
    asOf,
  });
  s.stripeSubscriptionId = snapshot.id;
  await applySnapshot(ctx, snapshot);
  return toView(s);
}

/** Adopts a subscription created outside the API (Dashboard, CLI), announced by the webhook relay. */
export async function adopt(ctx: WorkflowContext, stripeSubscriptionId: string): Promise<void> {
  const s = ctx.state;
  const snapshot = await reads().fetchSubscription({ subscriptionId: stripeSubscriptionId, asOf: Date.now() });
  if ((snapshot.organizationId !== null && snapshot.organizationId !== s.organizationId) || snapshot.plan === null) {
    log.warn('not adopting a subscription of another organization or outside the catalog', { stripeSubscriptionId });
    return;
  }
  s.stripeSubscriptionId = snapshot.id;
  s.plan = snapshot.plan;
  await applySnapshot(ctx, snapshot);
}

export async function changePlan(
  ctx: WorkflowContext,
  args: ChangePlanArgs,
  actor: PlanChangeActor,
): Promise<ChangePlanResult> {
  // The validator admitted only plan ids (v1 predates terms).
  const decision = decidePlanChange(ctx.state, args.plan as PlanId, actor);
  const id = subscriptionId(ctx);
  const asOf = Date.now();
  switch (decision.kind) {
    case 'rejected':
      throw rejection(decision.reason, decision.message);
    case 'upgrade': {
      const result = await stripe.changePlan({
        subscriptionId: id,
        plan: decision.to,
        mode: 'upgrade',
        step: step('upgrade'),
        asOf,
      });
      // pending_if_incomplete: a declined proration leaves the old plan in force; the activity voided the invoice.
      if (result.outcome === 'declined')
        throw rejection(BillingErrorType.CardDeclined, result.error.message, result.error);
      await applySnapshot(ctx, result.subscription);
      return { change: 'upgraded', subscription: toView(ctx.state) };
    }
    case 'downgrade': {
      const result = await stripe.changePlan({
        subscriptionId: id,
        plan: decision.to,
        mode: 'next_period',
        step: step('downgrade'),
        asOf,
      });
      if (result.outcome === 'declined')
        throw rejection(BillingErrorType.CardDeclined, result.error.message, result.error);
      ctx.state.pendingPlan = decision.to;
      await applySnapshot(ctx, result.subscription);
      return { change: 'downgrade_scheduled', subscription: toView(ctx.state) };
    }
    case 'cancel_at_period_end':
      await applySnapshot(
        ctx,
        await stripe.setCancelAtPeriodEnd({
          subscriptionId: id,
          cancelAtPeriodEnd: true,
          step: step('cancel_at_period_end'),
          asOf,
        }),
      );
      return { change: 'cancel_scheduled', subscription: toView(ctx.state) };
  }
}

export async function cancel(ctx: WorkflowContext, args: CancelArgs): Promise<SubscriptionView> {
  const decision = decideCancel(ctx.state, args.atPeriodEnd);
  if (decision.kind === 'rejected') throw rejection(decision.reason, decision.message);
  const id = subscriptionId(ctx);
  const snapshot =
    decision.kind === 'immediate'
      ? await stripe.cancelSubscription({ subscriptionId: id, step: step('cancel'), asOf: Date.now() })
      : await stripe.setCancelAtPeriodEnd({
          subscriptionId: id,
          cancelAtPeriodEnd: true,
          step: step('cancel_at_period_end'),
          asOf: Date.now(),
        });
  await applySnapshot(ctx, snapshot);
  return toView(ctx.state);
}

export async function resume(ctx: WorkflowContext): Promise<SubscriptionView> {
  const decision = decideResume(ctx.state);
  if (decision.kind === 'rejected') throw rejection(decision.reason, decision.message);
  const id = subscriptionId(ctx);
  const asOf = Date.now();
  let snapshot = decision.undoCancel
    ? await stripe.setCancelAtPeriodEnd({
        subscriptionId: id,
        cancelAtPeriodEnd: false,
        step: step('resume_cancel'),
        asOf,
      })
    : null;
  if (decision.undoDowngrade) {
    const result = await stripe.changePlan({
      subscriptionId: id,
      plan: ctx.state.plan,
      mode: 'next_period',
      step: step('resume_plan'),
      asOf,
    });
    if (result.outcome === 'declined')
      throw rejection(BillingErrorType.CardDeclined, result.error.message, result.error);
    ctx.state.pendingPlan = null;
    snapshot = result.subscription;
  }
  if (snapshot) await applySnapshot(ctx, snapshot);
  return toView(ctx.state);
}

export async function updatePaymentMethod(
  ctx: WorkflowContext,
  args: UpdatePaymentMethodArgs,
): Promise<UpdatePaymentMethodResult> {
  const s = ctx.state;
  const customerId = s.stripeCustomerId;
  if (customerId === null) throw rejection(BillingErrorType.NoActiveSubscription, 'there is no subscription yet');
  const { paymentMethodId } = await stripe.attachPaymentMethod({
    organizationId: s.organizationId,
    customerId,
    paymentMethodId: args.paymentMethodId,
    subscriptionId: s.stripeSubscriptionId,
  });
  s.defaultPaymentMethodId = paymentMethodId;
  // A new card during dunning is the customer's answer to our notices: try it now, not on the next slot.
  const inDunning = s.dunning !== null;
  const retry = inDunning ? await retryPayment(ctx, 'payment_method_updated') : null;
  if (!inDunning) await commit(ctx);
  return { retry, subscription: toView(s) };
}

export async function extendTrial(ctx: WorkflowContext, args: ExtendTrialArgs): Promise<SubscriptionView> {
  const snapshot = await stripe.extendTrial({
    subscriptionId: subscriptionId(ctx),
    trialEnd: args.trialEnd,
    step: step('extend_trial'),
    asOf: Date.now(),
  });
  await applySnapshot(ctx, snapshot);
  return toView(ctx.state);
}
