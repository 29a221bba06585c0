import type { InvoiceSnapshot, PaymentError } from '../../activities/types';
import { classifyDecline, dunningSchedule, nextScheduledRetry } from '../../domain/dunning';
import { reads, stripe } from './activity-proxies';
import { commit, notify, type WorkflowContext } from './context';
import type { DunningState } from './state';
import { endSubscription, syncFromStripe } from './sync';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * A payment failed (Stripe's own attempt at renewal or trial end): past_due, the first notice, and the
 * retry timetable anchored at the invoice's finalization so it does not depend on when we noticed.
 * A finalization later than the workflow's clock only happens when Stripe runs ahead on a test clock;
 * the policy's timers run on the workflow's clock, so they then start from now.
 */
export async function startDunning(ctx: WorkflowContext, invoice: InvoiceSnapshot): Promise<void> {
  const severity = classifyDecline({
    declineCode: invoice.lastPaymentError?.declineCode ?? null,
    adviceCode: invoice.lastPaymentError?.adviceCode,
  });
  const firstFailureAt = Math.min(invoice.finalizedAt, Date.now());
  const schedule = dunningSchedule(firstFailureAt, ctx.policy.dunning);
  const d: DunningState = {
    invoiceId: invoice.id,
    amountDue: invoice.amountRemaining,
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hostedInvoiceUrl,
    firstFailureAt,
    schedule,
    failedAttempts: 1,
    payCalls: 0,
    scheduledRetriesDone: 0,
    severity,
    lastDeclineCode: invoice.lastPaymentError?.declineCode ?? null,
    nextRetryAt: nextScheduledRetry(schedule, 0, severity),
    finalNoticeSent: false,
  };
  ctx.state.dunning = d;
  ctx.state.status = 'past_due';
  await notifyFailure(ctx, d, invoice.lastPaymentError);
}

/** Pays the open invoice now: on schedule, or at once after a new payment method arrived. */
export async function retryPayment(
  ctx: WorkflowContext,
  trigger: 'scheduled' | 'payment_method_updated',
): Promise<'paid' | 'declined' | null> {
  const d = ctx.state.dunning;
  if (!d) return null;
  d.payCalls++;
  if (trigger === 'scheduled') d.scheduledRetriesDone++;
  const result = await stripe.payInvoice({ invoiceId: d.invoiceId, attempt: d.payCalls, asOf: Date.now() });
  if (result.outcome !== 'declined') {
    await endDunning(ctx, result.invoice);
    await syncFromStripe(ctx);
    return result.outcome === 'paid' || result.invoice.status === 'paid' ? 'paid' : null;
  }
  d.failedAttempts++;
  d.severity = classifyDecline({ declineCode: result.error.declineCode, adviceCode: result.error.adviceCode });
  d.lastDeclineCode = result.error.declineCode;
  d.nextRetryAt = nextScheduledRetry(d.schedule, d.scheduledRetriesDone, d.severity);
  await commit(ctx);
  await notifyFailure(ctx, d, result.error);
  return 'declined';
}

/** The invoice left `open` by any path (our retry, invoice.paid from outside, voided): dunning is over. */
export async function endDunning(ctx: WorkflowContext, invoice: InvoiceSnapshot): Promise<void> {
  const d = ctx.state.dunning;
  if (!d || d.invoiceId !== invoice.id) return;
  ctx.state.dunning = null;
  ctx.state.status = 'active';
  if (invoice.status === 'paid') {
    await notify(ctx, 'payment_recovered', invoice.id, {
      invoiceId: invoice.id,
      amountPaid: d.amountDue,
      currency: d.currency,
      plan: ctx.state.plan,
    });
  }
}

export async function sendFinalNotice(ctx: WorkflowContext): Promise<void> {
  const d = ctx.state.dunning;
  if (!d || d.finalNoticeSent) return;
  d.finalNoticeSent = true;
  await notify(ctx, 'final_notice', d.invoiceId, {
    plan: ctx.state.plan,
    amountDue: d.amountDue,
    currency: d.currency,
    graceEndsAt: iso(d.schedule.graceEndsAt),
  });
}

/**
 * Grace is over: one last look at the invoice (a lost invoice.paid must not cancel a paying customer), then
 * cancel in Stripe, mark the invoice uncollectible, and fall back to free.
 */
export async function endGrace(ctx: WorkflowContext): Promise<void> {
  const d = ctx.state.dunning;
  const subscriptionId = ctx.state.stripeSubscriptionId;
  if (!d || subscriptionId === null) return;
  const invoice = await reads().fetchInvoice({ invoiceId: d.invoiceId, asOf: Date.now() });
  if (invoice.status !== 'open') {
    await endDunning(ctx, invoice);
    return syncFromStripe(ctx);
  }
  await stripe.cancelSubscription({ subscriptionId, step: `grace_end:${d.invoiceId}`, asOf: Date.now() });
  await stripe.markInvoiceUncollectible({ invoiceId: d.invoiceId });
  await endSubscription(ctx, Date.now(), 'dunning_exhausted');
}

function notifyFailure(ctx: WorkflowContext, d: DunningState, error: PaymentError | null): Promise<unknown> {
  return notify(ctx, 'payment_failed', `${d.invoiceId}:${d.failedAttempts}`, {
    invoiceId: d.invoiceId,
    amountDue: d.amountDue,
    currency: d.currency,
    attempt: d.failedAttempts,
    declineCode: error?.declineCode ?? null,
    nextRetryAt: iso(d.nextRetryAt),
  });
}
