import type Stripe from 'stripe';
import type { Sim } from '../sim';
import { createPreviewInvoice } from './preview';
import {
  INCOMPLETE_WINDOW_SECONDS,
  cancelSubscription,
  endTrial,
  expireIncomplete,
  expirePendingUpdate,
  invoiceOverdue,
  renew,
  resumeCollection,
} from './lifecycle';
import { invoicesOfCustomer } from './invoice-index';
import { subscriptionIdOf } from './invoice-object';
import { currentPeriod, customerIdOf, internalsOf } from './subscription-object';

const DAY = 86_400;
/** Stripe sends `customer.subscription.trial_will_end` three days before the trial ends. */
const TRIAL_WARNING_SECONDS = 3 * DAY;
/** `invoice.upcoming` goes out this long before a renewal (Stripe's configurable default). */
const UPCOMING_SECONDS = 7 * DAY;

type Action = { at: number; rank: number; run: () => void };

/** The next thing that happens to a subscription on its own, if anything. */
function nextAction(sim: Sim, sub: Stripe.Subscription): Action | undefined {
  const internals = internalsOf(sim, sub.id);
  const period = currentPeriod(sub);
  const actions: Action[] = [];
  if (sub.status === 'incomplete') {
    const since = internals.incompleteSince ?? sub.created;
    actions.push({
      at: since + INCOMPLETE_WINDOW_SECONDS,
      rank: 0,
      run: () => expireIncomplete(sim, sub, since + INCOMPLETE_WINDOW_SECONDS),
    });
    return actions[0];
  }
  if (sub.pending_update) {
    const at = sub.pending_update.expires_at;
    actions.push({ at, rank: 1, run: () => expirePendingUpdate(sim, sub, at) });
  }
  if (sub.collection_method === 'send_invoice') {
    const sent = internals.overdueSent ?? [];
    for (const invoice of invoicesOfCustomer(sim, customerIdOf(sub))) {
      if (invoice.status !== 'open' || invoice.due_date === null || sent.includes(invoice.id)) continue;
      if (subscriptionIdOf(invoice) !== sub.id) continue;
      const at = invoice.due_date;
      actions.push({ at, rank: 1, run: () => invoiceOverdue(sim, sub, invoice, at) });
    }
  }
  const resumesAt = sub.pause_collection?.resumes_at ?? null;
  if (resumesAt !== null) actions.push({ at: resumesAt, rank: 1, run: () => resumeCollection(sim, sub, resumesAt) });
  if (sub.status === 'trialing' && sub.trial_end !== null && internals.trialWillEndSentFor !== sub.trial_end) {
    const trialEnd = sub.trial_end;
    const at = Math.max(trialEnd - TRIAL_WARNING_SECONDS, sub.created);
    actions.push({
      at,
      rank: 2,
      run: () => {
        internals.trialWillEndSentFor = trialEnd;
        sim.emit('customer.subscription.trial_will_end', sub, at);
      },
    });
  }
  const active = ['active', 'past_due', 'unpaid'].includes(sub.status);
  // No upcoming-invoice notice while collection is paused (Stripe sends none for a paused subscription's invoices).
  if (
    active &&
    !sub.pause_collection &&
    !sub.cancel_at_period_end &&
    sub.cancel_at === null &&
    internals.upcomingSentFor !== period.end &&
    period.end - period.start > UPCOMING_SECONDS
  ) {
    const at = period.end - UPCOMING_SECONDS;
    const end = period.end;
    actions.push({
      at,
      rank: 3,
      run: () => {
        internals.upcomingSentFor = end;
        sim.emit('invoice.upcoming', createPreviewInvoice(sim, sub, at, {}), at);
      },
    });
  }
  if (sub.cancel_at !== null && (active || sub.status === 'trialing') && sub.cancel_at <= period.end) {
    const at = sub.cancel_at;
    actions.push({ at, rank: 4, run: () => cancelSubscription(sim, sub, at, { reason: 'cancellation_requested' }) });
  } else if (sub.status === 'trialing' && sub.trial_end !== null) {
    const at = sub.trial_end;
    actions.push({ at, rank: 5, run: () => endTrial(sim, sub, at) });
  } else if (active) {
    actions.push({ at: period.end, rank: 5, run: () => renew(sim, sub, period.end) });
  }
  return actions.sort((a, b) => a.at - b.at || a.rank - b.rank)[0];
}

/**
 * Move every subscription of the customers on `testClock` (or, for null, of customers on no clock)
 * through what happens up to `until`, one action at a time in time order — as Stripe does when a
 * test clock advances.
 */
export function advanceTime(sim: Sim, testClock: string | null, until: number): number {
  let steps = 0;
  // Which subscriptions live on this clock cannot change while it advances (no action creates one or moves a
  // customer), so they are found once, not once per action: advancing one clock among thousands stays cheap.
  const onClock = Object.values(sim.state.subscriptions).filter(
    (s) => (sim.state.customers[customerIdOf(s)]?.test_clock ?? null) === testClock,
  );
  const live = (s: Stripe.Subscription) => s.status !== 'canceled' && s.status !== 'incomplete_expired';
  const nextOf = (s: Stripe.Subscription) => (live(s) ? nextAction(sim, s) : undefined);
  // Each subscription's next action, worked out again only for the customer an action belonged to: an action
  // changes its own subscription, its invoices and its customer, never another customer's subscriptions. (Working
  // out every subscription's after every action made a clock with thousands of renewals quadratic: 212 s for 5,000.)
  const next = onClock.map(nextOf);
  const byCustomer = new Map<string, number[]>();
  onClock.forEach((s, i) => byCustomer.set(customerIdOf(s), [...(byCustomer.get(customerIdOf(s)) ?? []), i]));
  for (;;) {
    // The earliest action by (time, rank); a tie goes to the subscription found first, as a stable sort would.
    let pick = -1;
    let best: Action | undefined;
    next.forEach((action, i) => {
      if (!action || action.at > until) return;
      if (!best || action.at < best.at || (action.at === best.at && action.rank < best.rank)) {
        best = action;
        pick = i;
      }
    });
    if (!best) return steps;
    if (testClock) {
      const clock = sim.state.testClocks[testClock];
      if (clock) clock.frozen_time = Math.max(clock.frozen_time, best.at);
    }
    best.run();
    steps += 1;
    sim.store.changed();
    if (steps > 100_000) throw new Error('stripe-sim: runaway time advance');
    for (const i of byCustomer.get(customerIdOf(onClock[pick] as Stripe.Subscription)) ?? [])
      next[i] = nextOf(onClock[i] as Stripe.Subscription);
  }
}
