import { log, patched } from '@temporalio/workflow';
import { notify, type WorkflowContext } from './context';
import { RECONCILE_EVENT_PREFIX, type StripeEventSignal } from '../messages';
import { adopt } from './operations';
import { syncFromStripe } from './sync';

/** Any number of queued events costs one re-fetch; events about another subscription are ignored. */
export async function processInbox(ctx: WorkflowContext): Promise<void> {
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
  const trialWillEnd = events.some(
    (e) => e.type === 'customer.subscription.trial_will_end' && e.objectId === s.stripeSubscriptionId,
  );
  if (
    trialWillEnd &&
    patched('trial-reminder-from-stripe-event') &&
    s.status === 'trialing' &&
    s.trialReminderSentFor !== s.trialEnd
  ) {
    await sendTrialReminder(ctx);
  }
}

export async function sendTrialReminder(ctx: WorkflowContext): Promise<void> {
  const s = ctx.state;
  s.trialReminderSentFor = s.trialEnd;
  await notify(ctx, 'trial_ending', `${s.stripeSubscriptionId}:${s.trialEnd}`, {
    plan: s.plan,
    trialEndsAt: new Date(s.trialEnd ?? 0).toISOString(),
    hasPaymentMethod: s.defaultPaymentMethodId !== null,
  });
}

function concernsUs(event: StripeEventSignal, subscriptionId: string | null): boolean {
  return !event.type.startsWith('customer.subscription.') || event.objectId === subscriptionId;
}

/**
 * A step whose Stripe calls failed past their retry policy (Stripe down for minutes) must not spin the loop:
 * deadlines wait for a while and the step runs again then. State is untouched, so the step is simply redone.
 */
export async function guarded(ctx: WorkflowContext, step: () => Promise<void>): Promise<void> {
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
