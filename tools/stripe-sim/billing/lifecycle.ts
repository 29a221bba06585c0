import type Stripe from 'stripe';
import { previousAttributes, type Sim } from '../sim';
import { collectInvoice, createInvoice, finalizeInvoice, markUncollectible, voidInvoice } from './invoicing';
import { advanceLines, pendingItemLines, prorationItems, takePendingItems, usageLines } from './lines';
import { applyPlannedItems } from './items';
import { nextPeriodEnd, type Interval } from './periods';
import { cancelScheduleOf, phaseAt } from './schedules';
import { currentPeriod, customerIdOf, internalsOf, setPeriod } from './subscription-object';

const DAY_SECONDS = 86_400;

/** An invoice sent for payment is still open on its due date: Stripe sends `invoice.overdue` (once). */
export function invoiceOverdue(sim: Sim, sub: Stripe.Subscription, invoice: Stripe.Invoice, at: number): void {
  const internals = internalsOf(sim, sub.id);
  internals.overdueSent = [...(internals.overdueSent ?? []), invoice.id];
  sim.emit('invoice.overdue', invoice, at);
  sim.store.changed();
}

/** Stripe's deadline for a first payment (incomplete) and for a `pending_if_incomplete` update. */
export const INCOMPLETE_WINDOW_SECONDS = 23 * 60 * 60;

export function billingInterval(sub: Stripe.Subscription): { interval: Interval; count: number } {
  const recurring = sub.items.data[0]?.price.recurring;
  return { interval: (recurring?.interval ?? 'month') as Interval, count: recurring?.interval_count ?? 1 };
}

export function hasPaymentMethod(sim: Sim, sub: Stripe.Subscription): boolean {
  if (sub.default_payment_method) return true;
  return Boolean(sim.state.customers[customerIdOf(sub)]?.invoice_settings.default_payment_method);
}

/** Create, finalize and (unless told not to) attempt an invoice for a subscription. */
export function invoiceSubscription(
  sim: Sim,
  sub: Stripe.Subscription,
  at: number,
  reason: Stripe.Invoice.BillingReason,
  lines: ReturnType<typeof advanceLines>,
  opts: { attempt: boolean; offSession: boolean; period: { start: number; end: number }; prorationDate?: number },
): Stripe.Invoice {
  const customer = sim.state.customers[customerIdOf(sub)];
  if (!customer) throw new Error(`subscription ${sub.id} has no customer`);
  const invoice = createInvoice(sim, {
    customer,
    subscription: sub,
    billingReason: reason,
    at,
    period: opts.period,
    lines,
    prorationDate: opts.prorationDate,
  });
  // pause_collection: a renewal is still invoiced, but never collected (docs.stripe.com/billing/subscriptions/pause-payment).
  const paused = reason === 'subscription_cycle' ? sub.pause_collection : null;
  if (paused?.behavior === 'keep_as_draft') {
    invoice.auto_advance = false;
    return invoice;
  }
  if (sub.collection_method === 'send_invoice') {
    // Collection by invoice: finalized and sent, due days_until_due later; Stripe never charges it.
    invoice.collection_method = 'send_invoice';
    invoice.due_date = at + (sub.days_until_due ?? 30) * DAY_SECONDS;
    finalizeInvoice(sim, invoice, at);
    if (invoice.status === 'open') sim.emit('invoice.sent', invoice, at);
    return invoice;
  }
  finalizeInvoice(sim, invoice, at);
  if (paused && invoice.status === 'open') {
    if (paused.behavior === 'void') voidInvoice(sim, invoice, at);
    else markUncollectible(sim, invoice, at);
    return invoice;
  }
  if (opts.attempt && invoice.status === 'open')
    collectInvoice(sim, invoice, at, { manual: false, offSession: opts.offSession });
  return invoice;
}

/** pause_collection.resumes_at reached: Stripe clears the pause and collects again from the next invoice. */
export function resumeCollection(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const before = structuredClone(sub);
  sub.pause_collection = null;
  emitUpdated(sim, sub, before, at);
  sim.store.changed();
}

function emitUpdated(sim: Sim, sub: Stripe.Subscription, before: Stripe.Subscription, at: number): void {
  const prev = previousAttributes(before, sub);
  if (Object.keys(prev).length > 0) sim.emit('customer.subscription.updated', sub, at, prev);
}

/** Trial end: bill the first paid period, or apply `trial_settings.end_behavior.missing_payment_method`. */
export function endTrial(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const behavior = sub.trial_settings?.end_behavior.missing_payment_method ?? 'create_invoice';
  if (!hasPaymentMethod(sim, sub) && behavior === 'cancel') {
    cancelSubscription(sim, sub, at, { reason: null });
    return;
  }
  const before = structuredClone(sub);
  if (!hasPaymentMethod(sim, sub) && behavior === 'pause') {
    sub.status = 'paused';
    sim.emit('customer.subscription.paused', sub, at, previousAttributes(before, sub));
    emitUpdated(sim, sub, before, at);
    return;
  }
  startPaidPeriod(sim, sub, at, before);
}

function startPaidPeriod(sim: Sim, sub: Stripe.Subscription, at: number, before: Stripe.Subscription): void {
  const { interval, count } = billingInterval(sub);
  const period = { start: at, end: nextPeriodEnd(sub.billing_cycle_anchor, interval, count, at) };
  setPeriod(sub, period);
  sub.status = 'active';
  emitUpdated(sim, sub, before, at);
  const lines = [...pendingItemLines(takePendingItems(sim, sub.id)), ...advanceLines(sim, sub, period, false)];
  invoiceSubscription(sim, sub, at, 'subscription_cycle', lines, { attempt: true, offSession: true, period });
}

/** Period end: usage of the ended period in arrears, licensed items for the new one in advance. */
export function renew(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const before = structuredClone(sub);
  const ended = currentPeriod(sub);
  const usage = usageLines(sim, sub, ended);
  // A schedule's next phase starts at the boundary: the ended period's usage is billed on the old items (above),
  // the new period on the phase's items.
  const phase = phaseAt(sim, sub, at);
  if (phase) {
    const previous = billingInterval(sub).interval;
    applyPlannedItems(sim, sub, phase, at);
    if (billingInterval(sub).interval !== previous) sub.billing_cycle_anchor = at;
  }
  const { interval, count } = billingInterval(sub);
  const period = { start: at, end: nextPeriodEnd(sub.billing_cycle_anchor, interval, count, at) };
  setPeriod(sub, period);
  emitUpdated(sim, sub, before, at);
  const lines = [
    ...pendingItemLines(takePendingItems(sim, sub.id)),
    ...advanceLines(sim, sub, period, false),
    ...usage,
  ];
  invoiceSubscription(sim, sub, at, 'subscription_cycle', lines, { attempt: true, offSession: true, period });
}

export function cancelSubscription(
  sim: Sim,
  sub: Stripe.Subscription,
  at: number,
  opts: { reason: Stripe.Subscription.CancellationDetails.Reason | null; invoiceNow?: boolean; prorate?: boolean },
): void {
  const period = currentPeriod(sub);
  if (opts.invoiceNow) {
    // Removing every item prorates each one to a credit for its unused time.
    const credit = opts.prorate && sub.status !== 'trialing' ? prorationItems(sim, sub, [], at) : [];
    const lines = pendingItemLines([...takePendingItems(sim, sub.id), ...credit]);
    if (lines.length > 0)
      invoiceSubscription(sim, sub, at, 'subscription_update', lines, {
        attempt: true,
        offSession: true,
        period: { start: period.start, end: at },
      });
  }
  const before = structuredClone(sub);
  sub.status = 'canceled';
  sub.canceled_at = sub.canceled_at ?? at;
  sub.ended_at = at;
  sub.cancellation_details = {
    ...(sub.cancellation_details ?? { comment: null, feedback: null, feedback_option: null }),
    reason: opts.reason ?? sub.cancellation_details?.reason ?? null,
  };
  const internals = internalsOf(sim, sub.id);
  internals.pendingItems = null;
  internals.pendingInvoice = null;
  cancelScheduleOf(sim, sub, at);
  sim.emit('customer.subscription.deleted', sub, at, previousAttributes(before, sub));
  sim.store.changed();
}

/** A first invoice unpaid after 23 hours: the subscription expires and its invoice is voided. */
export function expireIncomplete(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const before = structuredClone(sub);
  sub.status = 'incomplete_expired';
  sub.ended_at = at;
  const invoice = sim.state.invoices[typeof sub.latest_invoice === 'string' ? sub.latest_invoice : ''];
  if (invoice?.status === 'open') voidInvoice(sim, invoice, at);
  emitUpdated(sim, sub, before, at);
}

export function expirePendingUpdate(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const internals = internalsOf(sim, sub.id);
  const invoice = sim.state.invoices[internals.pendingInvoice ?? ''];
  const before = structuredClone(sub);
  sub.pending_update = null;
  internals.pendingInvoice = null;
  internals.pendingItems = null;
  internals.pendingCycleReset = null;
  if (invoice?.status === 'open') voidInvoice(sim, invoice, at);
  sim.emit('customer.subscription.pending_update_expired', sub, at, previousAttributes(before, sub));
}
