import type Stripe from 'stripe';
import type { Sim } from '../sim';
import type { SimState } from '../store';
import { customerIdOfInvoice } from './invoice-object';

/**
 * Invoices by customer, in the order they were created. A renewal asks about the customer's other invoices (is it
 * delinquent, is anything else open); a walk over every invoice made a clock with thousands of renewals quadratic.
 * Keyed by the state object, so a reset or a loaded state file starts a new index; an invoice's customer never
 * changes and the simulator deletes no invoice, so the index only grows, through storeInvoice.
 */
const indexes = new WeakMap<SimState, Map<string, Stripe.Invoice[]>>();

function add(index: Map<string, Stripe.Invoice[]>, invoice: Stripe.Invoice): void {
  const customer = customerIdOfInvoice(invoice);
  const list = index.get(customer);
  if (list) list.push(invoice);
  else index.set(customer, [invoice]);
}

function indexOf(state: SimState): Map<string, Stripe.Invoice[]> {
  let index = indexes.get(state);
  if (!index) {
    index = new Map();
    for (const invoice of Object.values(state.invoices)) add(index, invoice);
    indexes.set(state, index);
  }
  return index;
}

/** The one way an invoice enters the state. */
export function storeInvoice(sim: Sim, invoice: Stripe.Invoice): void {
  sim.state.invoices[invoice.id] = invoice;
  const index = indexes.get(sim.state);
  if (index) add(index, invoice);
}

export function invoicesOfCustomer(sim: Sim, customerId: string): readonly Stripe.Invoice[] {
  return indexOf(sim.state).get(customerId) ?? [];
}
