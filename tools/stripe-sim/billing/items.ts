import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from '../http/errors';
import type { Sim } from '../sim';
import { buildItem, currentPeriod } from './subscription-object';
import { priceCurrencies } from './money';

export interface ItemChange {
  id?: string | undefined;
  price?: string | undefined;
  quantity?: number | undefined;
  deleted?: boolean | undefined;
  metadata?: Record<string, string> | undefined;
}

/** The resolved target of an item change: what the subscription's items will be afterwards. */
export interface PlannedItem {
  id: string;
  price: Stripe.Price;
  quantity: number;
  metadata: Record<string, string>;
  /** The item as it was before the change (null for a new item). */
  before: Stripe.SubscriptionItem | null;
}

/**
 * Resolve `items[]` of an update: an entry with `id` changes (or with `deleted` removes) that item,
 * keeping its id as Stripe does when the price changes; an entry without `id` adds an item.
 */
export function planItems(sim: Sim, sub: Stripe.Subscription, changes: ItemChange[]): PlannedItem[] {
  const planned: PlannedItem[] = sub.items.data.map((item) => ({
    id: item.id,
    price: item.price,
    quantity: item.quantity ?? 1,
    metadata: item.metadata,
    before: item,
  }));
  changes.forEach((change, i) => {
    const existing = change.id ? planned.find((p) => p.id === change.id) : undefined;
    if (change.id && !existing)
      throw invalidRequest(`Invalid subscription item: ${change.id}`, `items[${i}][id]`, 'resource_missing');
    const price = change.price ? sim.state.prices[change.price] : undefined;
    if (change.price && !price) throw resourceMissing('price', change.price, `items[${i}][price]`);
    if (price && !priceCurrencies(sim, price).includes(sub.currency))
      throw invalidRequest('All prices on a subscription must have the same currency.', `items[${i}][price]`);
    if (existing && change.deleted) {
      planned.splice(planned.indexOf(existing), 1);
    } else if (existing) {
      if (price) existing.price = price;
      if (change.quantity !== undefined) existing.quantity = change.quantity;
      if (change.metadata) existing.metadata = { ...existing.metadata, ...change.metadata };
    } else {
      if (!price)
        throw invalidRequest('Missing required param: items[price].', `items[${i}][price]`, 'parameter_missing');
      planned.push({
        id: sim.id('si', 14),
        price,
        quantity: change.quantity ?? 1,
        metadata: change.metadata ?? {},
        before: null,
      });
    }
  });
  if (planned.length === 0) throw invalidRequest('A subscription must have at least one item.', 'items');
  // Classic billing mode: every item bills on one interval. Moving all of them to another interval is a billing-cycle
  // reset (see interval-change.ts); mixed intervals need flexible billing mode, which the simulator does not model.
  const intervals = new Set(planned.map((p) => `${p.price.recurring?.interval}:${p.price.recurring?.interval_count}`));
  if (intervals.size > 1)
    throw invalidRequest(
      'Currency and interval fields must be the same for all prices on a subscription (mixed intervals need billing_mode flexible, not simulated).',
      'items',
    );
  return planned;
}

export function applyPlannedItems(
  sim: Sim,
  sub: Stripe.Subscription,
  planned: Array<Omit<PlannedItem, 'before'>>,
  at: number,
): void {
  const period = currentPeriod(sub);
  sub.items = {
    ...sub.items,
    data: planned.map((p) => {
      const existing = sub.items.data.find((i) => i.id === p.id);
      return buildItem(sim, {
        id: p.id,
        subscription: sub.id,
        price: p.price,
        quantity: p.quantity,
        period,
        created: existing?.created ?? at,
        metadata: p.metadata,
      });
    }),
  };
}
