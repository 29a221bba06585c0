/**
 * The plan catalog (the seed's PRICING_PLANS) in one place: features, limits, prices and the Stripe lookup
 * keys that tie a plan to its Stripe price. Amounts are integer minor units; `-1` means unlimited.
 */
export const PLAN_IDS = ['free', 'starter', 'professional', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

/** Metrics that carry a limit. Counters (messages, api_calls) reset per period; gauges do not. */
export const LIMIT_METRICS = ['agents', 'messages', 'api_calls', 'users', 'storage'] as const;
export type LimitMetric = (typeof LIMIT_METRICS)[number];

export const UNLIMITED = -1;

export interface PlanPrice {
  /** null = custom pricing (enterprise): negotiated per contract, never sold self-serve. */
  unitAmount: number | null;
  currency: 'usd';
  interval: 'month';
  /** Stripe price lookup key; the catalog sync creates or moves it, subscriptions reference it. */
  lookupKey: string | null;
}

/** Overage for counter metrics above the included limit: `unitAmount` minor units per `blockSize` units. */
export interface OveragePrice {
  unitAmount: number;
  blockSize: number;
  /** The Stripe billing meter's event name the usage reporter sends pre-aggregated quantities to. */
  meterEventName: string;
  lookupKey: string;
}

export interface Plan {
  id: PlanId;
  name: string;
  /** Orders plans for upgrade/downgrade decisions. */
  rank: number;
  price: PlanPrice;
  trialDays: number;
  /** Customers may choose it themselves; enterprise is assigned by an operator. */
  selfServe: boolean;
  limits: Record<LimitMetric, number>;
  features: {
    knowledgeBase: boolean;
    workflows: boolean;
    fineTuning: boolean;
    sso: boolean;
    sla: boolean;
    support: 'community' | 'email' | 'priority' | 'dedicated';
  };
  overage: Partial<Record<LimitMetric, OveragePrice>>;
}

const usd = (unitAmount: number | null, lookupKey: string | null): PlanPrice => ({
  unitAmount,
  currency: 'usd',
  interval: 'month',
  lookupKey,
});

// Overage is priced only on the counters: gauges (agents, users, storage) are hard caps, since billing
// a seat or a megabyte "over" is a different product conversation (upgrade), not a metered charge.
const overage = (plan: string, messagesPer1000: number, apiCallsPer10000: number): Plan['overage'] => ({
  messages: {
    unitAmount: messagesPer1000,
    blockSize: 1_000,
    meterEventName: 'billing_messages',
    lookupKey: `billing_${plan}_messages_overage`,
  },
  api_calls: {
    unitAmount: apiCallsPer10000,
    blockSize: 10_000,
    meterEventName: 'billing_api_calls',
    lookupKey: `billing_${plan}_api_calls_overage`,
  },
});

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: 'free',
    name: 'Free',
    rank: 0,
    price: usd(0, null),
    trialDays: 0,
    selfServe: true,
    limits: { agents: 1, messages: 1_000, api_calls: 10_000, users: 1, storage: 100 },
    features: {
      knowledgeBase: false,
      workflows: false,
      fineTuning: false,
      sso: false,
      sla: false,
      support: 'community',
    },
    overage: {},
  },
  starter: {
    id: 'starter',
    name: 'Starter',
    rank: 1,
    price: usd(2_900, 'billing_starter_monthly'),
    trialDays: 14,
    selfServe: true,
    limits: { agents: 5, messages: 10_000, api_calls: 100_000, users: 3, storage: 1_000 },
    features: { knowledgeBase: true, workflows: true, fineTuning: false, sso: false, sla: false, support: 'email' },
    overage: overage('starter', 200, 100),
  },
  professional: {
    id: 'professional',
    name: 'Professional',
    rank: 2,
    price: usd(9_900, 'billing_professional_monthly'),
    trialDays: 14,
    selfServe: true,
    limits: { agents: 25, messages: 100_000, api_calls: 1_000_000, users: 10, storage: 10_000 },
    features: { knowledgeBase: true, workflows: true, fineTuning: true, sso: false, sla: false, support: 'priority' },
    overage: overage('professional', 150, 75),
  },
  enterprise: {
    id: 'enterprise',
    name: 'Enterprise',
    rank: 3,
    price: usd(null, 'billing_enterprise_monthly'),
    trialDays: 0,
    selfServe: false,
    limits: { agents: UNLIMITED, messages: UNLIMITED, api_calls: UNLIMITED, users: UNLIMITED, storage: UNLIMITED },
    features: { knowledgeBase: true, workflows: true, fineTuning: true, sso: true, sla: true, support: 'dedicated' },
    overage: {},
  },
};

export function isPlanId(value: string): value is PlanId {
  return (PLAN_IDS as readonly string[]).includes(value);
}

export function getPlan(id: PlanId): Plan {
  return PLANS[id];
}

/** Maps a Stripe price lookup key back to its plan; null for prices outside the catalog. */
export function planForLookupKey(lookupKey: string | null | undefined): PlanId | null {
  if (!lookupKey) return null;
  return PLAN_IDS.find((id) => PLANS[id].price.lookupKey === lookupKey) ?? null;
}

/** A plan a subscription can be billed for: it has a Stripe price (enterprise's is set per contract). */
export function isBillable(id: PlanId): boolean {
  return PLANS[id].price.lookupKey !== null;
}

export function isUnlimited(limit: number): boolean {
  return limit === UNLIMITED;
}

/** Whether `used + requested` fits the plan's limit for a metric. */
export function withinLimit(plan: PlanId, metric: LimitMetric, used: number, requested: number): boolean {
  const limit = PLANS[plan].limits[metric];
  return isUnlimited(limit) || used + requested <= limit;
}
