import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors';
import { previousAttributes, type Sim } from '../sim';
import type { PlannedItem } from './items';
import { shiftByIntervals, type Interval } from './periods';
import { currentPeriod, customerIdOf } from './subscription-object';

/**
 * Subscription schedules (docs.stripe.com/billing/subscriptions/subscription-schedules and the API reference):
 * phases of items with start and end dates; the schedule moves the subscription from one phase to the next at
 * the phase boundary, and `end_behavior: release` detaches it when its last phase ends (the subscription keeps the
 * last phase's items). Modelled: creating one from an existing subscription, replacing its current and future
 * phases (the current phase's items unchanged, phases on period boundaries, `end_date` or `duration`), the phase
 * change at a renewal, release, and the cancel of a schedule whose subscription is canceled.
 */
export interface PhaseInput {
  items: { price: string; quantity?: number | undefined }[];
  startDate?: number | undefined;
  endDate?: number | undefined;
  duration?: { interval: Interval; intervalCount: number } | undefined;
  prorationBehavior?: Stripe.SubscriptionSchedule.Phase.ProrationBehavior | undefined;
  metadata?: Record<string, string> | undefined;
  /** The phase's own `automatic_tax[enabled]`; absent, the subscription keeps its setting. */
  automaticTax?: boolean | undefined;
}

function phaseItem(
  sim: Sim,
  price: string,
  quantity: number | undefined,
  i: number,
): Stripe.SubscriptionSchedule.Phase.Item {
  const p = sim.state.prices[price];
  if (!p) throw invalidRequest(`No such price: '${price}'`, `phases[${i}][items][][price]`, 'resource_missing');
  return {
    billing_thresholds: null,
    discounts: [],
    metadata: {},
    plan: price,
    price,
    ...(p.recurring?.usage_type === 'metered' ? {} : { quantity: quantity ?? 1 }),
    tax_rates: [],
  } as Stripe.SubscriptionSchedule.Phase.Item;
}

function buildPhase(
  sim: Sim,
  sub: Stripe.Subscription,
  items: Stripe.SubscriptionSchedule.Phase.Item[],
  start: number,
  end: number,
  p: {
    prorationBehavior?: Stripe.SubscriptionSchedule.Phase.ProrationBehavior | undefined;
    metadata?: Record<string, string> | undefined;
    automaticTax?: boolean | undefined;
  },
): Stripe.SubscriptionSchedule.Phase {
  return {
    ...(p.automaticTax !== undefined && {
      automatic_tax: {
        disabled_reason: null,
        enabled: p.automaticTax,
        liability: p.automaticTax ? { type: 'self' } : null,
      },
    }),
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    collection_method: null,
    currency: sub.currency,
    default_payment_method: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    end_date: end,
    invoice_settings: null,
    items,
    metadata: p.metadata ?? {},
    on_behalf_of: null,
    proration_behavior: p.prorationBehavior ?? 'create_prorations',
    start_date: start,
    transfer_data: null,
    trial_end: null,
  };
}

/** `from_subscription`: one phase with the subscription's items for its current period. */
export function scheduleFromSubscription(sim: Sim, sub: Stripe.Subscription, at: number): Stripe.SubscriptionSchedule {
  if (sub.schedule)
    throw invalidRequest(
      `The subscription ${sub.id} is already attached to a schedule.`,
      'from_subscription',
      'subscription_schedule_already_attached',
    );
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
    throw invalidRequest('A canceled subscription cannot be managed by a schedule.', 'from_subscription');
  const period = currentPeriod(sub);
  const items = sub.items.data.map((item, i) => phaseItem(sim, item.price.id, item.quantity ?? undefined, i));
  const schedule = {
    id: sim.id('sub_sched'),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: null, type: 'classic' },
    canceled_at: null,
    completed_at: null,
    created: at,
    current_phase: { start_date: period.start, end_date: period.end },
    customer: customerIdOf(sub),
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: 'charge_automatically',
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: 'release',
    livemode: false,
    metadata: {},
    pause_schedules: [],
    phases: [buildPhase(sim, sub, items, period.start, period.end, { prorationBehavior: 'create_prorations' })],
    released_at: null,
    released_subscription: null,
    status: 'active',
    subscription: sub.id,
    test_clock: sim.state.customers[customerIdOf(sub)]?.test_clock ?? null,
  } as Stripe.SubscriptionSchedule;
  sim.state.subscriptionSchedules[schedule.id] = schedule;
  const before = structuredClone(sub);
  sub.schedule = schedule.id;
  sim.emit('subscription_schedule.created', schedule, at);
  sim.emit('customer.subscription.updated', sub, at, previousAttributes(before, sub));
  sim.store.changed();
  return schedule;
}

/**
 * Replaces the current and future phases. The first phase given must be the current one (same start) with the
 * subscription's current items: changing the items in force now through a schedule is not simulated.
 */
export function updatePhases(
  sim: Sim,
  schedule: Stripe.SubscriptionSchedule,
  sub: Stripe.Subscription,
  phases: PhaseInput[],
  endBehavior: Stripe.SubscriptionSchedule.EndBehavior | undefined,
  at: number,
): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    throw invalidRequest(
      `You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status.`,
    );
  const current = schedule.current_phase;
  if (!current) throw invalidRequest('The schedule has no current phase.');
  const built: Stripe.SubscriptionSchedule.Phase[] = [];
  let start = current.start_date;
  phases.forEach((p, i) => {
    if (i === 0 && p.startDate !== undefined && p.startDate !== current.start_date)
      throw invalidRequest('The first phase must start at the current phase start_date.', `phases[0][start_date]`);
    if (i > 0 && p.startDate !== undefined && p.startDate !== start)
      throw invalidRequest(
        'Phases must be contiguous: a phase starts where the previous one ends.',
        `phases[${i}][start_date]`,
      );
    const items = p.items.map((item) => phaseItem(sim, item.price, item.quantity, i));
    const prices = items.map((item) => sim.state.prices[item.price as string]);
    const intervals = new Set(prices.map((price) => price?.recurring?.interval));
    if (intervals.size !== 1)
      throw invalidRequest('All prices in a phase must share one interval.', `phases[${i}][items]`);
    const interval = [...intervals][0] as Interval;
    const end =
      p.endDate ??
      (p.duration
        ? shiftByIntervals(start, p.duration.interval, p.duration.intervalCount, 1)
        : shiftByIntervals(start, interval, 1, 1));
    if (end <= start) throw invalidRequest('A phase must end after it starts.', `phases[${i}][end_date]`);
    built.push(buildPhase(sim, sub, items, start, end, p));
    start = end;
  });
  const first = built[0];
  if (!first) throw invalidRequest('At least one phase is required.', 'phases');
  const inForce = sub.items.data
    .map((item) => `${item.price.id}:${item.price.recurring?.usage_type === 'metered' ? '' : (item.quantity ?? 1)}`)
    .sort();
  const given = first.items.map((item) => `${item.price as string}:${item.quantity ?? ''}`).sort();
  if (JSON.stringify(inForce) !== JSON.stringify(given))
    throw invalidRequest(
      'The simulator does not change the items in force through a schedule; change the next phase.',
      'phases[0][items]',
    );
  if (first.end_date !== currentPeriod(sub).end)
    throw invalidRequest('The simulator switches phases at the end of a billing period only.', 'phases[0][end_date]');
  const before = structuredClone(schedule);
  schedule.phases = built;
  schedule.current_phase = { start_date: first.start_date, end_date: first.end_date };
  if (endBehavior) schedule.end_behavior = endBehavior;
  sim.emit('subscription_schedule.updated', schedule, at, previousAttributes(before, schedule));
  sim.store.changed();
}

/** Detaches the schedule; the subscription keeps its items as they are. */
export function releaseSchedule(sim: Sim, schedule: Stripe.SubscriptionSchedule, at: number): void {
  if (schedule.status !== 'active' && schedule.status !== 'not_started')
    throw invalidRequest(
      `You cannot release a subscription schedule that is currently in the \`${schedule.status}\` status.`,
    );
  const subId = typeof schedule.subscription === 'string' ? schedule.subscription : (schedule.subscription?.id ?? null);
  const sub = subId ? sim.state.subscriptions[subId] : undefined;
  schedule.status = 'released';
  schedule.released_at = at;
  schedule.released_subscription = subId;
  schedule.subscription = null;
  schedule.current_phase = null;
  sim.emit('subscription_schedule.released', schedule, at);
  if (sub) {
    const before = structuredClone(sub);
    sub.schedule = null;
    sim.emit('customer.subscription.updated', sub, at, previousAttributes(before, sub));
  }
  sim.store.changed();
}

export function scheduleOf(sim: Sim, sub: Stripe.Subscription): Stripe.SubscriptionSchedule | undefined {
  const id = typeof sub.schedule === 'string' ? sub.schedule : sub.schedule?.id;
  return id ? sim.state.subscriptionSchedules[id] : undefined;
}

/**
 * At a renewal (`at` = the ended period's end): the phase starting then, as planned items for the subscription
 * (an item keeps its id when its price stays or another price of the same product replaces it), or null. A
 * schedule whose last phase ended is released first (end_behavior release), or the subscription canceled (cancel).
 */
export function phaseAt(sim: Sim, sub: Stripe.Subscription, at: number): Array<Omit<PlannedItem, 'before'>> | null {
  const schedule = scheduleOf(sim, sub);
  if (!schedule || schedule.status !== 'active') return null;
  const next = schedule.phases.find((p) => p.start_date === at);
  if (!next) {
    const last = schedule.phases.at(-1);
    if (last && last.end_date <= at) releaseSchedule(sim, schedule, at);
    return null;
  }
  schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
  sim.emit('subscription_schedule.updated', schedule, at);
  // A phase's explicit automatic_tax becomes the subscription's as the phase starts.
  if (next.automatic_tax) sub.automatic_tax = { ...next.automatic_tax };
  const free = [...sub.items.data];
  return next.items.map((item) => {
    const price = sim.state.prices[item.price as string] as Stripe.Price;
    const product = (p: Stripe.Price) => (typeof p.product === 'string' ? p.product : p.product.id);
    const match = free.find((i) => i.price.id === price.id) ?? free.find((i) => product(i.price) === product(price));
    if (match) free.splice(free.indexOf(match), 1);
    return { id: match?.id ?? sim.id('si', 14), price, quantity: item.quantity ?? 1, metadata: match?.metadata ?? {} };
  });
}

/** The subscription was canceled: so is its schedule. */
export function cancelScheduleOf(sim: Sim, sub: Stripe.Subscription, at: number): void {
  const schedule = scheduleOf(sim, sub);
  if (!schedule || (schedule.status !== 'active' && schedule.status !== 'not_started')) return;
  schedule.status = 'canceled';
  schedule.canceled_at = at;
  schedule.current_phase = null;
  sim.emit('subscription_schedule.canceled', schedule, at);
}
