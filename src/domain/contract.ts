import { LIMIT_METRICS, PLANS, UNLIMITED, type LimitMetric } from './plans';
import { BILLING_INTERVALS, type BillingInterval } from './pricing';

/**
 * An enterprise contract (issue #20): what an operator negotiated with one organization. It lives in the
 * subscription workflow's state, its price becomes the organization's own Stripe price, and its limits are what
 * entitlements apply. Collection is by card (Stripe charges the renewal) or by invoice with net terms (Stripe emails
 * an invoice due `daysUntilDue` days after it is issued; our own reminders and grace follow, never card retries).
 */
export const CONTRACT_CURRENCIES = ['usd', 'eur'] as const;
export type ContractCurrency = (typeof CONTRACT_CURRENCIES)[number];

export type ContractCollection = { method: 'charge_automatically' } | { method: 'send_invoice'; daysUntilDue: number };

export interface Contract {
  /** Minor units per interval. */
  amount: number;
  currency: ContractCurrency;
  interval: BillingInterval;
  /** Per metric: the limit, or -1 for unlimited; a metric left out keeps enterprise's (unlimited). */
  limits: Partial<Record<LimitMetric, number>>;
  collection: ContractCollection;
}

/** Bounds that catch typing mistakes, not negotiation: $10M per interval, net 90 at most. */
export const MAX_CONTRACT_AMOUNT = 1_000_000_000;
export const MAX_DAYS_UNTIL_DUE = 90;

/** Why a contract cannot be used (it arrives from outside: the admin API or the CLI), or null. */
export function contractRefusal(c: unknown): string | null {
  const contract = c as Partial<Contract> | null | undefined;
  if (typeof contract !== 'object' || contract === null) return 'a contract is required';
  const { amount, currency, interval, limits, collection } = contract;
  if (!Number.isInteger(amount) || (amount as number) < 1 || (amount as number) > MAX_CONTRACT_AMOUNT)
    return `amount must be a whole number of minor units between 1 and ${MAX_CONTRACT_AMOUNT}`;
  if (!CONTRACT_CURRENCIES.includes(currency as ContractCurrency))
    return `currency must be one of ${CONTRACT_CURRENCIES.join(', ')}`;
  if (!BILLING_INTERVALS.includes(interval as BillingInterval))
    return `interval must be one of ${BILLING_INTERVALS.join(', ')}`;
  if (typeof limits !== 'object' || limits === null) return 'limits must be an object (may be empty)';
  for (const [metric, value] of Object.entries(limits)) {
    if (!LIMIT_METRICS.includes(metric as LimitMetric)) return `unknown metric ${metric} in limits`;
    if (!Number.isInteger(value) || (value as number) < UNLIMITED)
      return `limits.${metric} must be a whole number, or -1 for unlimited`;
  }
  if (collection?.method === 'charge_automatically') return null;
  if (collection?.method !== 'send_invoice') return 'collection.method must be charge_automatically or send_invoice';
  const days = collection.daysUntilDue;
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS_UNTIL_DUE)
    return `collection.daysUntilDue must be between 1 and ${MAX_DAYS_UNTIL_DUE}`;
  return null;
}

/** Invoice collection sends a reminder this long before the due date, and the overdue notice on it. */
export const INVOICE_REMINDER_BEFORE_DUE_MS = 3 * 86_400_000;

/** The limits a contract gives: enterprise's, with the contract's own where it names them. */
export function contractLimits(contract: Pick<Contract, 'limits'>): Record<LimitMetric, number> {
  return { ...PLANS.enterprise.limits, ...contract.limits };
}
