import type Stripe from 'stripe';
import type { Sim } from '../sim';
import { buildInvoice, type LineSpec } from './invoice-object';
import { cycleReset, resetsBillingCycle } from './interval-change';
import { applyPlannedItems, planItems, type ItemChange, type PlannedItem } from './items';
import { advanceLines, peekPendingItems, pendingItemLines, prorationItems, usageLines } from './lines';
import { billingInterval } from './lifecycle';
import { nextPeriodEnd } from './periods';
import { currentPeriod, customerIdOf } from './subscription-object';

export interface PreviewOptions {
  items?: ItemChange[] | undefined;
  prorationDate?: number | undefined;
  prorationBehavior?: 'always_invoice' | 'create_prorations' | 'none' | undefined;
  /** Top-level `discounts`: the discounts to preview instead of the subscription's ([] previews none). */
  discounts?: Stripe.Discount[] | undefined;
  /** `automatic_tax[enabled]` of the preview (Stripe previews without tax unless it is set). */
  automaticTax?: boolean | undefined;
}

/**
 * `invoices.createPreview` for an existing subscription: the next renewal invoice, or — with item
 * changes — the invoice those changes would produce, with the same proration math as a real update.
 */
export function createPreviewInvoice(
  sim: Sim,
  sub: Stripe.Subscription,
  at: number,
  opts: PreviewOptions,
): Stripe.Invoice {
  const customer = sim.state.customers[customerIdOf(sub)];
  if (!customer) throw new Error(`subscription ${sub.id} has no customer`);
  const period = currentPeriod(sub);
  const target = structuredClone(sub);
  const lines: LineSpec[] = pendingItemLines(peekPendingItems(sim, sub.id));
  const behavior = opts.prorationBehavior ?? 'create_prorations';
  const prorationDate = opts.prorationDate ?? at;
  if (opts.items && opts.items.length > 0) {
    const planned = planItems(sim, sub, opts.items);
    if (resetsBillingCycle(sub, planned))
      return resetPreview(sim, sub, customer, planned, prorationDate, behavior, lines, opts);
    if (behavior !== 'none' && sub.status !== 'trialing')
      lines.push(...pendingItemLines(prorationItems(sim, sub, planned, prorationDate)));
    applyPlannedItems(sim, target, planned, at);
  }
  const immediate = behavior === 'always_invoice' && opts.items && opts.items.length > 0;
  const { interval, count } = billingInterval(target);
  const nextStart = sub.status === 'trialing' && sub.trial_end !== null ? sub.trial_end : period.end;
  const next = { start: nextStart, end: nextPeriodEnd(sub.billing_cycle_anchor, interval, count, nextStart) };
  if (!immediate) lines.push(...advanceLines(sim, target, next, false), ...usageLines(sim, sub, period));
  const invoice = buildInvoice(
    sim,
    {
      id: sim.id('upcoming_in'),
      customer,
      subscription: sub,
      billingReason: immediate ? 'subscription_update' : 'upcoming',
      created: at,
      currency: sub.currency,
      period: immediate ? { start: prorationDate, end: period.end } : period,
      prorationDate: opts.items ? prorationDate : undefined,
      discounts: opts.discounts,
      automaticTax: opts.automaticTax,
      // The renewal is judged when it happens: a repeating discount ending before it does not reduce it.
      discountAt: immediate ? at : next.start,
    },
    lines,
  );
  if (customer.balance < 0 && invoice.total > 0) {
    invoice.amount_due = Math.max(invoice.total + customer.balance, 0);
    invoice.amount_remaining = invoice.amount_due;
  }
  if (!immediate) invoice.next_payment_attempt = next.start;
  return invoice;
}

/** The invoice a change of interval would produce now: the billing-cycle reset's (interval-change.ts). */
function resetPreview(
  sim: Sim,
  sub: Stripe.Subscription,
  customer: Stripe.Customer,
  planned: PlannedItem[],
  at: number,
  behavior: NonNullable<PreviewOptions['prorationBehavior']>,
  pending: LineSpec[],
  opts: PreviewOptions,
): Stripe.Invoice {
  const reset = cycleReset(sim, sub, planned, at, behavior !== 'none');
  const invoice = buildInvoice(
    sim,
    {
      id: sim.id('upcoming_in'),
      customer,
      subscription: sub,
      billingReason: 'subscription_update',
      created: at,
      currency: sub.currency,
      period: reset.period,
      prorationDate: at,
      discounts: opts.discounts,
      automaticTax: opts.automaticTax,
    },
    [...pending, ...reset.lines],
  );
  if (customer.balance < 0 && invoice.total > 0) {
    invoice.amount_due = Math.max(invoice.total + customer.balance, 0);
    invoice.amount_remaining = invoice.amount_due;
  }
  return invoice;
}
