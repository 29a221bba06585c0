import { allHandlersFinished, condition, log, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { resolveBillingPolicy } from '../../domain/billing-policy';
import type { WorkflowContext } from './context';
import { pendingDeadlines, type Deadline } from '../../domain/subscription/deadlines';
import { endGrace, retryPayment, sendFinalNotice } from './dunning';
import { guarded, processInbox, sendTrialReminder } from './inbox';
import { createLock } from '../lock';
import type { SubscriptionView, SubscriptionWorkflowInput } from '../messages';
import { adopt } from './operations';
import { registerHandlers } from './handlers';
import { initialState, toView } from './state';
import { syncFromStripe } from './sync';

/**
 * One organization's subscription, from subscribe (or adoption) to its end. Handlers are registered first;
 * the loop then sleeps until the earliest deadline, a webhook signal or a state change, does that one step
 * under the lock, and continues-as-new at each new billing period with the whole state.
 */
export async function subscriptionWorkflowBeforeCore(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
  const policy = resolveBillingPolicy(input.policy);
  const ctx: WorkflowContext = {
    state: input.carried ?? initialState(input.organizationId),
    policy,
    lock: createLock(),
    inbox: [],
    rolloverPending: false,
    subscribing: false,
    lastPublished: input.published,
  };
  registerHandlers(ctx);
  const idleUntil = Date.now() + policy.idleTimeoutMs;
  if (input.adopt && ctx.state.status === 'none') {
    const { stripeSubscriptionId } = input.adopt;
    await ctx.lock.run(() => adopt(ctx, stripeSubscriptionId));
  }

  for (;;) {
    const s = ctx.state;
    if (s.status === 'canceled') break;
    if (s.status === 'none' && !ctx.subscribing && ctx.inbox.length === 0 && Date.now() >= idleUntil) break;
    if (readyToContinueAsNew(ctx)) {
      // The next run starts with this run's search attributes (it republishes them only when they change).
      const next = makeContinueAsNewFunc<typeof subscriptionWorkflowBeforeCore>({
        typedSearchAttributes: workflowInfo().typedSearchAttributes,
      });
      await next({ organizationId: s.organizationId, policy: input.policy, carried: s, published: ctx.lastPublished });
    }
    const next: Deadline | undefined = pendingDeadlines(s, policy)[0];
    const wakeAt = next?.at ?? (s.status === 'none' ? idleUntil : Infinity);
    const waitMs = wakeAt - Date.now();
    if (waitMs > 0) {
      const version = s.stateVersion;
      const wake = () =>
        ctx.inbox.length > 0 || s.stateVersion !== version || s.status === 'canceled' || readyToContinueAsNew(ctx);
      if (Number.isFinite(waitMs)) await condition(wake, waitMs);
      else await condition(wake);
    }
    if (ctx.inbox.length > 0) await ctx.lock.run(() => processInbox(ctx));
    else if (next && next.at <= Date.now()) await ctx.lock.run(() => runDeadline(ctx, next));
  }
  await condition(allHandlersFinished);
  return toView(ctx.state);
}

function readyToContinueAsNew(ctx: WorkflowContext): boolean {
  const wanted = ctx.rolloverPending || workflowInfo().continueAsNewSuggested;
  return wanted && ctx.state.status !== 'none' && ctx.inbox.length === 0 && !ctx.lock.busy && allHandlersFinished();
}

async function runDeadline(ctx: WorkflowContext, deadline: Deadline): Promise<void> {
  const s = ctx.state;
  switch (deadline.kind) {
    case 'trialReminder':
      return sendTrialReminder(ctx);
    case 'dunningRetry':
      return guarded(ctx, async () => void (await retryPayment(ctx, 'scheduled')));
    case 'finalNotice':
      return sendFinalNotice(ctx);
    case 'graceEnd':
      return guarded(ctx, () => endGrace(ctx));
    case 'backstop':
      log.info('no confirming event after the deadline; syncing from Stripe');
      s.backstopAt = Date.now() + ctx.policy.sync.backstopRepeatMs;
      return guarded(ctx, () => syncFromStripe(ctx));
  }
}
