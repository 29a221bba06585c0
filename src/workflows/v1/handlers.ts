import { patched, setHandler } from '@temporalio/workflow';
import { decideCancel, decideResume } from '../../domain/cancellation';
import { decidePlanChange, validateSubscribe, type PlanChangeActor } from '../../domain/plan-change';
import { isPlanId, type PlanId } from '../../domain/plans';
import { isOperationAllowed } from '../../domain/subscription-status';
import { stripe } from './activity-proxies';
import { rejection, toUpdateFailure, type WorkflowContext } from './context';
import {
  assignPlanUpdate,
  BillingErrorType,
  cancelUpdate,
  changePlanUpdate,
  extendTrialUpdate,
  getStateQuery,
  previewPlanChangeUpdate,
  resumeUpdate,
  stripeEventSignal,
  stripeEventsSignal,
  subscribeUpdate,
  updatePaymentMethodUpdate,
  type ChangePlanArgs,
  type ExtendTrialArgs,
  type StripeEventSignal,
  type SubscribeArgs,
  type UpdatePaymentMethodArgs,
} from '../messages';
import { processInbox } from './inbox';
import * as ops from './operations';
import { rememberEvent, toView } from './state';

/**
 * Runs a mutating handler under the lock and turns every failure into a typed ApplicationFailure.
 * Stripe events already delivered to the run are taken first: an update arriving in the same workflow
 * task as a failed renewal's webhook (the customer saw past_due and fixed the card at once) must find
 * dunning begun, or it would attach the card without retrying the invoice. Gated for replay: runs
 * before the patch handled the update first. A failure while taking the events fails the workflow
 * task (retried), as it does in the main loop, rather than the update (the events would be lost).
 */
function exclusive<T>(ctx: WorkflowContext, fn: () => Promise<T>): Promise<T> {
  return ctx.lock.run(async () => {
    if (ctx.inbox.length > 0 && patched('updates-after-delivered-events')) await processInbox(ctx);
    try {
      return await fn();
    } catch (err) {
      throw toUpdateFailure(err);
    }
  });
}

// Validators reject before anything reaches history; handlers decide again under the lock, since state may
// have moved while they waited for it.
function requirePlan(plan: unknown): void {
  if (typeof plan !== 'string' || !isPlanId(plan))
    throw rejection(BillingErrorType.InvalidPlan, `unknown plan ${String(plan)}`);
}

function validateSubscribeArgs(ctx: WorkflowContext, args: SubscribeArgs): void {
  requirePlan(args?.plan);
  if (ctx.subscribing) throw rejection(BillingErrorType.AlreadySubscribed, 'a subscription is already being created');
  const problem = validateSubscribe(ctx.state.status, args);
  if (problem) throw rejection(problem.reason, problem.message);
  // Runs before the core never pass a currency to Stripe: refuse EUR rather than bill USD silently (a validator
  // only: rejected updates leave no history, so replay is unchanged).
  if (args.currency !== undefined && args.currency !== 'usd')
    throw rejection(BillingErrorType.InvalidRequest, 'this subscription can only be created in usd');
}

function validatePlanChange(ctx: WorkflowContext, args: ChangePlanArgs, actor: PlanChangeActor): void {
  requirePlan(args?.plan);
  const decision = decidePlanChange(ctx.state, args.plan as PlanId, actor);
  if (decision.kind === 'rejected') throw rejection(decision.reason, decision.message);
}

function validatePaymentMethod(ctx: WorkflowContext, args: UpdatePaymentMethodArgs): void {
  if (typeof args?.paymentMethodId !== 'string' || args.paymentMethodId.length === 0) {
    throw rejection(BillingErrorType.InvalidRequest, 'paymentMethodId is required');
  }
  if (!isOperationAllowed(ctx.state.status, 'updatePaymentMethod'))
    throw rejection(BillingErrorType.NoActiveSubscription, 'there is no live subscription');
}

function validateExtendTrial(ctx: WorkflowContext, args: ExtendTrialArgs): void {
  const s = ctx.state;
  if (!isOperationAllowed(s.status, 'extendTrial') || s.trialEnd === null)
    throw rejection(BillingErrorType.PlanChangeNotAllowed, 'only a trial can be extended');
  if (!Number.isFinite(args?.trialEnd) || args.trialEnd <= s.trialEnd)
    throw rejection(BillingErrorType.InvalidRequest, 'the new trial end must be later than the current one');
}

export function registerHandlers(ctx: WorkflowContext): void {
  setHandler(getStateQuery, () => toView(ctx.state));
  const receive = (event: StripeEventSignal | undefined) => {
    if (typeof event?.eventId === 'string' && rememberEvent(ctx.state, event.eventId, ctx.policy))
      ctx.inbox.push(event);
  };
  setHandler(stripeEventSignal, receive);
  setHandler(stripeEventsSignal, (events) => {
    if (Array.isArray(events)) events.forEach(receive);
  });
  setHandler(
    subscribeUpdate,
    (args) => {
      ctx.subscribing = true;
      return exclusive(ctx, () => ops.subscribe(ctx, args)).finally(() => {
        ctx.subscribing = false;
      });
    },
    { validator: (args) => validateSubscribeArgs(ctx, args) },
  );
  setHandler(changePlanUpdate, (args) => exclusive(ctx, () => ops.changePlan(ctx, args, 'customer')), {
    validator: (args) => validatePlanChange(ctx, args, 'customer'),
  });
  setHandler(assignPlanUpdate, (args) => exclusive(ctx, () => ops.changePlan(ctx, args, 'operator')), {
    validator: (args) => validatePlanChange(ctx, args, 'operator'),
  });
  setHandler(
    previewPlanChangeUpdate,
    async (args) => {
      try {
        return await stripe.previewPlanChange({
          subscriptionId: ctx.state.stripeSubscriptionId ?? '',
          plan: args.plan as PlanId,
        });
      } catch (err) {
        throw toUpdateFailure(err);
      }
    },
    { validator: (args) => validatePlanChange(ctx, args, 'customer') },
  );
  setHandler(cancelUpdate, (args) => exclusive(ctx, () => ops.cancel(ctx, args)), {
    validator: (args) => {
      const decision = decideCancel(ctx.state, args?.atPeriodEnd === true);
      if (decision.kind === 'rejected') throw rejection(decision.reason, decision.message);
    },
  });
  setHandler(resumeUpdate, () => exclusive(ctx, () => ops.resume(ctx)), {
    validator: () => {
      const decision = decideResume(ctx.state);
      if (decision.kind === 'rejected') throw rejection(decision.reason, decision.message);
    },
  });
  setHandler(updatePaymentMethodUpdate, (args) => exclusive(ctx, () => ops.updatePaymentMethod(ctx, args)), {
    validator: (args) => validatePaymentMethod(ctx, args),
  });
  setHandler(extendTrialUpdate, (args) => exclusive(ctx, () => ops.extendTrial(ctx, args)), {
    validator: (args) => validateExtendTrial(ctx, args),
  });
}
