import { allHandlersFinished, condition, log, makeContinueAsNewFunc, patched, workflowInfo } from '@temporalio/workflow';
import { resolveBillingPolicy } from '../domain/billing-policy';
import { notify, type WorkflowContext } from './context';
import { pendingDeadlines, type Deadline } from './deadlines';
import { endGrace, retryPayment, sendFinalNotice } from './dunning';
import { createLock } from './lock';
import { RECONCILE_EVENT_PREFIX, type StripeEventSignal, type SubscriptionView, type SubscriptionWorkflowInput } from './messages';
import { adopt } from './operations';
import { registerHandlers } from './handlers';
import { initialState, toView } from './state';
import { syncFromStripe } from './sync';

/**
 * One organization's subscription, from subscribe (or adoption) to its end. Handlers are registered first;
 * the loop then sleeps until the earliest deadline, a webhook signal or a state change, does that one step
 * under the lock, and continues-as-new at each new billing period with the whole state.
 */
export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<SubscriptionView> {
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
      const next = makeContinueAsNewFunc<typeof subscriptionWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
      await next({ organizationId: s.organizationId, policy: input.policy, carried: s, published: ctx.lastPublished });
    }
    const next: Deadline | undefined = pendingDeadlines(s, policy)[0];
    const wakeAt = next?.at ?? (s.status === 'none' ? idleUntil : Infinity);
    const waitMs = wakeAt - Date.now();
    if (waitMs > 0) {
      const version = s.stateVersion;
      const wake = () => ctx.inbox.length > 0 || s.stateVersion !== version || s.status === 'canceled' || readyToContinueAsNew(ctx);
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

/** Any number of queued events costs one re-fetch; events about another subscription are ignored. */
async function processInbox(ctx: WorkflowContext): Promise<void> {
  const events = ctx.inbox.splice(0);
  const s = ctx.state;
  if (s.status === 'canceled') return;
  if (s.stripeSubscriptionId === null) {
    const created = events.find((e) => e.type === 'customer.subscription.created');
    if (created) await adopt(ctx, created.objectId);
    return;
  }
  // Reconciliation signals because the read model differs from Stripe: publish even if our state did not change.
  if (events.some((e) => e.eventId.startsWith(RECONCILE_EVENT_PREFIX))) ctx.republish = true;
  if (events.some((e) => concernsUs(e, s.stripeSubscriptionId))) await guarded(ctx, () => syncFromStripe(ctx));
  // Versioning example: runs started before this change recorded no reminder on this event, so the new
  // step is gated by a patch marker and replays of their histories take the old path (replay.test.ts).
  // Stripe's own trial_will_end is the reminder's trigger when Stripe's clock runs ahead (test clocks);
  // the workflow's timer stays the backstop and the dedupe key makes it one email either way.
  const trialWillEnd = events.some((e) => e.type === 'customer.subscription.trial_will_end' && e.objectId === s.stripeSubscriptionId);
  if (trialWillEnd && patched('trial-reminder-from-stripe-event') && s.status === 'trialing' && s.trialReminderSentFor !== s.trialEnd) {
    await sendTrialReminder(ctx);
  }
}

async function sendTrialReminder(ctx: WorkflowContext): Promise<void> {
  const s = ctx.state;
  s.trialReminderSentFor = s.trialEnd;
  await notify(ctx, 'trial_ending', `${s.stripeSubscriptionId}:${s.trialEnd}`, {
    plan: s.plan, trialEndsAt: new Date(s.trialEnd ?? 0).toISOString(), hasPaymentMethod: s.defaultPaymentMethodId !== null,
  });
}

function concernsUs(event: StripeEventSignal, subscriptionId: string | null): boolean {
  return !event.type.startsWith('customer.subscription.') || event.objectId === subscriptionId;
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

/**
 * A step whose Stripe calls failed past their retry policy (Stripe down for minutes) must not spin the loop:
 * deadlines wait for a while and the step runs again then. State is untouched, so the step is simply redone.
 */
async function guarded(ctx: WorkflowContext, step: () => Promise<void>): Promise<void> {
  try {
    await step();
    ctx.state.deferDeadlinesUntil = null;
  } catch (err) {
    log.warn('step failed; deferring deadlines', { error: err instanceof Error ? err.message : String(err) });
    const later = Date.now() + ctx.policy.sync.backstopRepeatMs;
    ctx.state.deferDeadlinesUntil = later;
    ctx.state.backstopAt = Math.min(ctx.state.backstopAt ?? later, later);
  }
}
