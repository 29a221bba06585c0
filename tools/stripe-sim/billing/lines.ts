import type Stripe from 'stripe';
import type { Sim } from '../sim';
import type { PendingItem } from '../store';
import type { LineSpec } from './invoice-object';
import type { PlannedItem } from './items';
import { formatMoney, unitAmountIn } from './money';
import { prorate } from './proration';

function productId(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}

function productName(sim: Sim, price: Stripe.Price): string {
  return sim.state.products[productId(price)]?.name ?? productId(price);
}

function dateLabel(ts: number): string {
  return new Date(ts * 1000).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

const isMetered = (price: Stripe.Price): boolean => price.recurring?.usage_type === 'metered';

/** Usage reported to the price's meter by this customer inside the period, aggregated by the meter's formula. */
export function meteredQuantity(
  sim: Sim,
  price: Stripe.Price,
  customerId: string,
  period: { start: number; end: number },
): number {
  const meter = sim.state.meters[price.recurring?.meter ?? ''];
  if (!meter) return 0;
  const events = Object.values(sim.state.meterUsage)
    .filter(
      (u) =>
        u.meter === meter.id && u.customer === customerId && u.timestamp >= period.start && u.timestamp < period.end,
    )
    .sort((a, b) => a.timestamp - b.timestamp);
  if (meter.default_aggregation.formula === 'count') return events.length;
  if (meter.default_aggregation.formula === 'last') return events.at(-1)?.value ?? 0;
  return events.reduce((sum, u) => sum + u.value, 0);
}

function base(sub: Stripe.Subscription, item: Stripe.SubscriptionItem, period: { start: number; end: number }) {
  return {
    currency: sub.currency,
    period,
    price: item.price.id,
    product: productId(item.price),
    subscription: sub.id,
    subscriptionItem: item.id,
    invoiceItem: null,
    proration: false,
  };
}

/** Licensed items bill in advance for the coming period; `trial` lines are free. */
export function advanceLines(
  sim: Sim,
  sub: Stripe.Subscription,
  period: { start: number; end: number },
  trial: boolean,
): LineSpec[] {
  return sub.items.data
    .filter((item) => !isMetered(item.price))
    .map((item) => {
      const quantity = item.quantity ?? 1;
      const unit = unitAmountIn(sim, item.price, sub.currency);
      const interval = item.price.recurring?.interval ?? 'month';
      const description = trial
        ? `Trial period for ${productName(sim, item.price)}`
        : `${quantity} × ${productName(sim, item.price)} (at ${formatMoney(unit, sub.currency)} / ${interval})`;
      return { ...base(sub, item, period), amount: trial ? 0 : unit * quantity, quantity, description };
    });
}

/** Metered items bill in arrears for the period that just ended. */
export function usageLines(sim: Sim, sub: Stripe.Subscription, period: { start: number; end: number }): LineSpec[] {
  const customerId = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  return sub.items.data
    .filter((item) => isMetered(item.price))
    .map((item) => {
      const quantity = meteredQuantity(sim, item.price, customerId, period);
      const unit = unitAmountIn(sim, item.price, sub.currency);
      return {
        ...base(sub, item, period),
        amount: unit * quantity,
        quantity,
        description: `${quantity} × ${productName(sim, item.price)} (at ${formatMoney(unit, sub.currency)} per unit)`,
      };
    });
}

/** Credit for the unused time on each replaced price and a charge for the remaining time on its successor. */
export function prorationItems(sim: Sim, sub: Stripe.Subscription, planned: PlannedItem[], at: number): PendingItem[] {
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  const removed = sub.items.data
    .filter((item) => !planned.some((p) => p.id === item.id))
    .map((item) => ({ before: item, after: null }));
  const changed = planned.map((p) => ({ before: p.before, after: p }));
  const out: PendingItem[] = [];
  for (const { before, after } of [...changed, ...removed]) {
    const samePrice =
      before && after && before.price.id === after.price.id && (before.quantity ?? 1) === after.quantity;
    if (samePrice || (before && isMetered(before.price)) || (after && isMetered(after.price))) continue;
    const period = {
      start: before?.current_period_start ?? sub.items.data[0]?.current_period_start ?? at,
      end: before?.current_period_end ?? sub.items.data[0]?.current_period_end ?? at,
    };
    const result = prorate(
      before ? { unitAmount: unitAmountIn(sim, before.price, sub.currency), quantity: before.quantity ?? 1 } : null,
      after ? { unitAmount: unitAmountIn(sim, after.price, sub.currency), quantity: after.quantity } : null,
      period,
      at,
    );
    const remaining = { start: Math.max(at, period.start), end: period.end };
    const make = (
      price: Stripe.Price,
      itemId: string,
      quantity: number,
      amount: number,
      label: string,
    ): PendingItem => ({
      id: sim.id('ii'),
      customer,
      subscription: sub.id,
      subscriptionItem: itemId,
      price: price.id,
      product: productId(price),
      amount,
      quantity,
      currency: sub.currency,
      description: `${label} ${productName(sim, price)} after ${dateLabel(at)}`,
      period: remaining,
      created: at,
    });
    if (before && result.credit !== 0)
      out.push(make(before.price, before.id, before.quantity ?? 1, result.credit, 'Unused time on'));
    if (after && result.charge !== 0)
      out.push(make(after.price, after.id, after.quantity, result.charge, 'Remaining time on'));
  }
  return out;
}

export function pendingItemLines(items: PendingItem[]): LineSpec[] {
  return items.map((p) => ({
    amount: p.amount,
    quantity: p.quantity,
    currency: p.currency,
    description: p.description,
    period: p.period,
    price: p.price,
    product: p.product,
    subscription: p.subscription,
    subscriptionItem: p.subscriptionItem,
    invoiceItem: p.id,
    proration: true,
  }));
}

/** Pending prorations are consumed by the subscription's next invoice. */
export function takePendingItems(sim: Sim, subId: string): PendingItem[] {
  const items = Object.values(sim.state.pendingItems).filter((p) => p.subscription === subId);
  for (const item of items) delete sim.state.pendingItems[item.id];
  return items;
}

export function peekPendingItems(sim: Sim, subId: string): PendingItem[] {
  return Object.values(sim.state.pendingItems).filter((p) => p.subscription === subId);
}
