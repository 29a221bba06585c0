import { PLANS, UNLIMITED, isUnlimited, type LimitMetric, type PlanId } from './plans';

/**
 * How a paid plan is sold beyond its base price: the billing interval, extra seats and add-on packs. Together
 * they are a subscription's terms; every Stripe item of a subscription follows from its plan and terms. Amounts
 * are integer minor units; lookup keys tie each price to Stripe (the catalog sync creates them).
 */
export const BILLING_INTERVALS = ['month', 'year'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export const ADD_ON_IDS = ['agents_5', 'storage_10gb'] as const;
export type AddOnId = (typeof ADD_ON_IDS)[number];

/** Sane upper bounds for one organization; beyond them it is a contract conversation (enterprise). */
export const MAX_EXTRA_SEATS = 1_000;
export const MAX_ADD_ON_PACKS = 100;

/** Yearly = this many months of the monthly price, unless the plan configures its own yearly amount. */
export const YEARLY_MONTHS_CHARGED = 10;
/** Counter allowances are monthly; a yearly term's usage period is the year, so they scale by this. */
export const MONTHS_PER_YEAR = 12;

export interface Terms {
  interval: BillingInterval;
  /** Purchased seats beyond the plan's included ones. */
  seats: number;
  /** Packs per add-on; absent = none. */
  addOns: Partial<Record<AddOnId, number>>;
}

export const DEFAULT_TERMS: Terms = { interval: 'month', seats: 0, addOns: {} };

export interface TermPrice {
  unitAmount: number;
  currency: 'usd';
  interval: BillingInterval;
  lookupKey: string;
}

export interface AddOn {
  id: AddOnId;
  name: string;
  metric: LimitMetric;
  /** Units of `metric` one pack adds. */
  units: number;
  monthlyAmount: number;
  plans: readonly PlanId[];
}

export const ADD_ONS: Readonly<Record<AddOnId, AddOn>> = {
  agents_5: {
    id: 'agents_5',
    name: '+5 agents',
    metric: 'agents',
    units: 5,
    monthlyAmount: 1_900,
    plans: ['starter', 'professional'],
  },
  storage_10gb: {
    id: 'storage_10gb',
    name: '+10 GB storage',
    metric: 'storage',
    units: 10_000,
    monthlyAmount: 900,
    plans: ['starter', 'professional'],
  },
};

/** Per extra seat per month, by plan; plans without an entry sell no seats. */
const SEAT_MONTHLY_AMOUNT: Partial<Record<PlanId, number>> = { starter: 800, professional: 1_200 };
/** A plan's yearly amount where it differs from YEARLY_MONTHS_CHARGED × monthly (none today). */
const YEARLY_AMOUNT: Partial<Record<PlanId, number>> = {};

const suffix = (interval: BillingInterval) => (interval === 'month' ? 'monthly' : 'yearly');
const scaled = (monthly: number, interval: BillingInterval) =>
  interval === 'month' ? monthly : monthly * YEARLY_MONTHS_CHARGED;

export function isBillingInterval(value: unknown): value is BillingInterval {
  return typeof value === 'string' && (BILLING_INTERVALS as readonly string[]).includes(value);
}

export function isAddOnId(value: unknown): value is AddOnId {
  return typeof value === 'string' && (ADD_ON_IDS as readonly string[]).includes(value);
}

/** The plan's price for an interval; null for free and enterprise (custom contract). The monthly one is plans.ts's. */
export function planPrice(plan: PlanId, interval: BillingInterval): TermPrice | null {
  const base = PLANS[plan].price;
  if (base.unitAmount === null || base.lookupKey === null || base.unitAmount === 0) return null;
  if (interval === 'month')
    return { unitAmount: base.unitAmount, currency: base.currency, interval, lookupKey: base.lookupKey };
  return {
    unitAmount: YEARLY_AMOUNT[plan] ?? scaled(base.unitAmount, 'year'),
    currency: base.currency,
    interval,
    lookupKey: `billing_${plan}_yearly`,
  };
}

export function seatPrice(plan: PlanId, interval: BillingInterval): TermPrice | null {
  const monthly = SEAT_MONTHLY_AMOUNT[plan];
  if (monthly === undefined) return null;
  return {
    unitAmount: scaled(monthly, interval),
    currency: 'usd',
    interval,
    lookupKey: `billing_${plan}_seat_${suffix(interval)}`,
  };
}

export function addOnPrice(addOn: AddOnId, plan: PlanId, interval: BillingInterval): TermPrice | null {
  const a = ADD_ONS[addOn];
  if (!a.plans.includes(plan)) return null;
  return {
    unitAmount: scaled(a.monthlyAmount, interval),
    currency: 'usd',
    interval,
    lookupKey: `billing_addon_${addOn}_${suffix(interval)}`,
  };
}

/** The lookup key of a plan's metered overage price for an interval (yearly terms bill overage yearly, in arrears). */
export function overageLookupKey(monthlyLookupKey: string, interval: BillingInterval): string {
  return interval === 'month' ? monthlyLookupKey : `${monthlyLookupKey}_yearly`;
}

/** Seats included in the plan (its `users` limit); unlimited plans sell none. */
export function includedSeats(plan: PlanId): number {
  return PLANS[plan].limits.users;
}

/**
 * The plan's limits under the terms: users = included + purchased seats, each add-on pack adds its units, and on
 * a yearly term the counters (messages, api_calls: monthly allowances) cover the year's usage period. Unlimited
 * stays unlimited.
 */
export function limitsWith(plan: PlanId, terms: Terms | null | undefined): Record<LimitMetric, number> {
  const limits = { ...PLANS[plan].limits };
  if (!terms) return limits;
  const add = (metric: LimitMetric, units: number) => {
    if (!isUnlimited(limits[metric])) limits[metric] += units;
  };
  add('users', terms.seats);
  for (const id of ADD_ON_IDS) add(ADD_ONS[id].metric, (terms.addOns[id] ?? 0) * ADD_ONS[id].units);
  if (terms.interval === 'year') {
    for (const metric of ['messages', 'api_calls'] as const)
      if (!isUnlimited(limits[metric])) limits[metric] *= MONTHS_PER_YEAR;
  }
  return limits;
}

/** What one renewal costs under these terms (plan + seats + add-ons; overage comes on top, in arrears). */
export function renewalAmount(plan: PlanId, terms: Terms): number {
  const base = planPrice(plan, terms.interval)?.unitAmount ?? 0;
  const seats = (seatPrice(plan, terms.interval)?.unitAmount ?? 0) * terms.seats;
  const addOns = ADD_ON_IDS.reduce(
    (sum, id) => sum + (addOnPrice(id, plan, terms.interval)?.unitAmount ?? 0) * (terms.addOns[id] ?? 0),
    0,
  );
  return base + seats + addOns;
}

/** Terms without zero-count add-ons, so two equal terms compare equal. */
export function normalizeTerms(terms: Terms): Terms {
  const addOns: Terms['addOns'] = {};
  for (const id of ADD_ON_IDS) if ((terms.addOns[id] ?? 0) > 0) addOns[id] = terms.addOns[id];
  return { interval: terms.interval, seats: terms.seats, addOns };
}

export function sameTerms(a: Terms, b: Terms): boolean {
  return JSON.stringify(normalizeTerms(a)) === JSON.stringify(normalizeTerms(b));
}

/**
 * When a move from (plan, terms) to (plan', terms') takes effect. Anything that costs more applies now, prorated
 * and charged at once (a higher plan, monthly → yearly, more seats or packs); anything that costs less waits for
 * the renewal (a lower plan, yearly → monthly, fewer seats or packs). A request that does both is refused: the two
 * halves are billed at different times, so the caller sends them separately.
 */
export type TermsDirection = 'now' | 'at_renewal' | 'none' | 'mixed';

export function termsDirection(
  from: { plan: PlanId; terms: Terms },
  to: { plan: PlanId; terms: Terms },
): TermsDirection {
  const ups: boolean[] = [];
  const downs: boolean[] = [];
  const cmp = (a: number, b: number) => {
    ups.push(b > a);
    downs.push(b < a);
  };
  cmp(PLANS[from.plan].rank, PLANS[to.plan].rank);
  cmp(from.terms.interval === 'year' ? 1 : 0, to.terms.interval === 'year' ? 1 : 0);
  cmp(from.terms.seats, to.terms.seats);
  for (const id of ADD_ON_IDS) cmp(from.terms.addOns[id] ?? 0, to.terms.addOns[id] ?? 0);
  const up = ups.some(Boolean);
  const down = downs.some(Boolean);
  if (up && down) return 'mixed';
  return up ? 'now' : down ? 'at_renewal' : 'none';
}

/** Why terms cannot be sold on a plan, or null. */
export function termsRefusal(plan: PlanId, terms: Terms): string | null {
  if (!isBillingInterval(terms.interval)) return `interval must be one of ${BILLING_INTERVALS.join(', ')}`;
  if (planPrice(plan, terms.interval) === null) return `${plan} has no ${terms.interval}ly price`;
  if (!Number.isInteger(terms.seats) || terms.seats < 0 || terms.seats > MAX_EXTRA_SEATS)
    return `seats must be an integer from 0 to ${MAX_EXTRA_SEATS}`;
  if (terms.seats > 0 && seatPrice(plan, terms.interval) === null) return `${plan} sells no extra seats`;
  if (typeof terms.addOns !== 'object' || terms.addOns === null) return 'addOns must be an object';
  for (const [id, packs] of Object.entries(terms.addOns)) {
    if (!isAddOnId(id)) return `unknown add-on ${id}`;
    if (!Number.isInteger(packs) || (packs as number) < 0 || (packs as number) > MAX_ADD_ON_PACKS)
      return `packs of ${id} must be an integer from 0 to ${MAX_ADD_ON_PACKS}`;
    if ((packs as number) > 0 && addOnPrice(id, plan, terms.interval) === null)
      return `${id} is not offered on ${plan}`;
  }
  return null;
}

/**
 * Removing seats below the users in use is refused: the numbers, for the caller's error. null when it fits.
 * An unlimited plan always fits.
 */
export function seatShortfall(
  plan: PlanId,
  terms: Terms,
  usersInUse: number,
): { seatLimit: number; usersInUse: number } | null {
  const seatLimit = limitsWith(plan, terms).users;
  if (seatLimit === UNLIMITED || usersInUse <= seatLimit) return null;
  return { seatLimit, usersInUse };
}

export type PriceRole =
  | { kind: 'plan'; plan: PlanId; interval: BillingInterval }
  | { kind: 'seat'; plan: PlanId; interval: BillingInterval }
  | { kind: 'addOn'; addOn: AddOnId; interval: BillingInterval };

/** What a Stripe price is in the catalog, by its lookup key; null for prices outside it (overage is the meters'). */
export function priceRole(lookupKey: string | null | undefined): PriceRole | null {
  if (!lookupKey) return null;
  for (const plan of Object.keys(PLANS) as PlanId[]) {
    for (const interval of BILLING_INTERVALS) {
      if (planPrice(plan, interval)?.lookupKey === lookupKey) return { kind: 'plan', plan, interval };
      if (seatPrice(plan, interval)?.lookupKey === lookupKey) return { kind: 'seat', plan, interval };
    }
    if (PLANS[plan].price.lookupKey === lookupKey) return { kind: 'plan', plan, interval: 'month' };
  }
  for (const addOn of ADD_ON_IDS)
    for (const interval of BILLING_INTERVALS)
      if (`billing_addon_${addOn}_${suffix(interval)}` === lookupKey) return { kind: 'addOn', addOn, interval };
  return null;
}
