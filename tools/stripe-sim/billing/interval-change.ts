import type Stripe from 'stripe';
import type { Sim } from '../sim';
import type { LineSpec } from './invoice-object';
import { applyPlannedItems, type PlannedItem } from './items';
import { billingInterval } from './lifecycle';
import { advanceLines, pendingItemLines, prorationItems, usageLines } from './lines';
import { nextPeriodEnd } from './periods';
import { currentPeriod, setPeriod } from './subscription-object';

/**
 * Stripe: changing a subscription to prices on another billing interval (monthly → yearly) resets the billing cycle
 * anchor to the time of the change and invoices at once (docs.stripe.com/billing/subscriptions/billing-cycle and
 * …/upgrade-downgrade): the unused time of every licensed item is credited (unless proration_behavior is none), the
 * metered usage so far is billed in arrears, and the new items are billed in advance for a full new period.
 */
export function resetsBillingCycle(sub: Stripe.Subscription, planned: PlannedItem[]): boolean {
  const now = billingInterval(sub);
  const next = planned[0]?.price.recurring;
  return sub.status !== 'trialing' && next !== undefined && next !== null && next.interval !== now.interval;
}

export interface CycleReset {
  lines: LineSpec[];
  /** The new period, from the change. */
  period: { start: number; end: number };
}

/** The reset invoice's lines and the new period, computed on a copy (the caller applies them once paid). */
export function cycleReset(
  sim: Sim,
  sub: Stripe.Subscription,
  planned: PlannedItem[],
  at: number,
  prorate: boolean,
): CycleReset {
  const ended = currentPeriod(sub);
  const credits = prorate ? prorationItems(sim, sub, [], at) : [];
  const usage = usageLines(sim, sub, { start: ended.start, end: at });
  const target = structuredClone(sub);
  applyPlannedItems(sim, target, planned, at);
  const { interval, count } = billingInterval(target);
  const period = { start: at, end: nextPeriodEnd(at, interval, count, at) };
  setPeriod(target, period);
  return { lines: [...pendingItemLines(credits), ...advanceLines(sim, target, period, false), ...usage], period };
}

/** Applies the reset: the new items, the anchor at the change, the new period. */
export function applyCycleReset(
  sim: Sim,
  sub: Stripe.Subscription,
  planned: Array<Omit<PlannedItem, 'before'>>,
  period: { start: number; end: number },
): void {
  applyPlannedItems(sim, sub, planned, period.start);
  sub.billing_cycle_anchor = period.start;
  setPeriod(sub, period);
}
