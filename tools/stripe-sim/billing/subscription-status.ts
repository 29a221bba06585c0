import type Stripe from 'stripe';
import { previousAttributes, type Sim } from '../sim';
import { invoicesOfCustomer } from './invoice-index';
import { customerIdOfInvoice, subscriptionIdOf } from './invoice-object';
import { applyPlannedItems } from './items';
import { customerIdOf, internalsOf, setPeriod } from './subscription-object';

function hasOtherOpenInvoices(sim: Sim, subId: string, except: string): boolean {
  const sub = sim.state.subscriptions[subId];
  return (sub ? invoicesOfCustomer(sim, customerIdOf(sub)) : Object.values(sim.state.invoices)).some(
    (i) => i.id !== except && i.status === 'open' && i.amount_due > 0 && subscriptionIdOf(i) === subId,
  );
}

function subscriptionOf(sim: Sim, invoice: Stripe.Invoice): Stripe.Subscription | undefined {
  const sub = sim.state.subscriptions[subscriptionIdOf(invoice) ?? ''];
  return sub && sub.status !== 'canceled' && sub.status !== 'incomplete_expired' ? sub : undefined;
}

/**
 * A paid invoice settles the subscription: a `pending_if_incomplete` update is applied, and an
 * incomplete or past-due subscription with nothing else outstanding becomes active.
 */
export function onInvoicePaid(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  refreshDelinquency(sim, customerIdOfInvoice(invoice));
  const sub = subscriptionOf(sim, invoice);
  if (!sub) return;
  const before = structuredClone(sub);
  const internals = internalsOf(sim, sub.id);
  if (internals.pendingInvoice === invoice.id && internals.pendingItems) {
    const prices = internals.pendingItems.map((p) => ({ ...p, price: sim.state.prices[p.price] }));
    applyPlannedItems(
      sim,
      sub,
      prices.flatMap((p) => (p.price ? [{ id: p.id, price: p.price, quantity: p.quantity, metadata: {} }] : [])),
      at,
    );
    const reset = internals.pendingCycleReset;
    if (reset) {
      sub.billing_cycle_anchor = reset.start;
      setPeriod(sub, reset);
    }
    sub.pending_update = null;
    internals.pendingInvoice = null;
    internals.pendingItems = null;
    internals.pendingCycleReset = null;
    sim.emit('customer.subscription.pending_update_applied', sub, at, previousAttributes(before, sub));
  }
  if (['incomplete', 'past_due', 'unpaid'].includes(sub.status) && !hasOtherOpenInvoices(sim, sub.id, invoice.id)) {
    sub.status = 'active';
    internals.incompleteSince = null;
  }
  const prev = previousAttributes(before, sub);
  if (Object.keys(prev).length > 0) sim.emit('customer.subscription.updated', sub, at, prev);
}

/** Stripe's `customer.delinquent`: true while an invoice payment has failed and is still outstanding. */
function refreshDelinquency(sim: Sim, customerId: string): void {
  const customer = sim.state.customers[customerId];
  if (!customer) return;
  customer.delinquent = invoicesOfCustomer(sim, customerId).some(
    (i) => customerIdOfInvoice(i) === customerId && i.status === 'open' && i.attempted && i.amount_due > 0,
  );
}

/** A failed renewal or update payment leaves the subscription past_due; a first payment leaves it incomplete. */
export function onInvoicePaymentFailed(sim: Sim, invoice: Stripe.Invoice, at: number): void {
  refreshDelinquency(sim, customerIdOfInvoice(invoice));
  const sub = subscriptionOf(sim, invoice);
  if (!sub) return;
  if (internalsOf(sim, sub.id).pendingInvoice === invoice.id) return;
  if (sub.status !== 'active' && sub.status !== 'trialing') return;
  const before = structuredClone(sub);
  sub.status = 'past_due';
  sim.emit('customer.subscription.updated', sub, at, previousAttributes(before, sub));
}
