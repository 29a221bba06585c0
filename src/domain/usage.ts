import { LIMIT_METRICS, type LimitMetric } from './plans';

/**
 * Usage metrics and how they aggregate. Counters add up within a billing period (messages, api_calls);
 * gauges are readings of a current level (storage in MB, agents, users/seats) where the latest reading wins.
 */
export const USAGE_METRICS = LIMIT_METRICS;
export type UsageMetric = LimitMetric;
export const COUNTER_METRICS = ['messages', 'api_calls'] as const satisfies readonly UsageMetric[];
export const GAUGE_METRICS = ['storage', 'agents', 'users'] as const satisfies readonly UsageMetric[];

export function isGauge(metric: UsageMetric): boolean {
  return (GAUGE_METRICS as readonly string[]).includes(metric);
}

/** Stripe accepts meter events up to 35 days old and 5 minutes ahead; ingestion uses the same window. */
export const MAX_EVENT_AGE_MS = 35 * 86_400_000;
export const MAX_EVENT_LEAD_MS = 5 * 60_000;

export type EventTimeRejection = 'timestamp_in_future' | 'timestamp_too_old' | 'before_current_period';

/**
 * Whether an event's time may still count. `currentPeriodStart` is the start of the organization's
 * current usage period: once a period has rolled over its totals are final (overage was or is being
 * reported), so late events for it are refused rather than silently moved.
 */
export function eventTimeRejection(
  occurredAt: number,
  now: number,
  currentPeriodStart: number,
): EventTimeRejection | null {
  if (occurredAt > now + MAX_EVENT_LEAD_MS) return 'timestamp_in_future';
  if (occurredAt < now - MAX_EVENT_AGE_MS) return 'timestamp_too_old';
  if (occurredAt < currentPeriodStart) return 'before_current_period';
  return null;
}

/** The UTC calendar day of an instant, 'YYYY-MM-DD': aggregates never depend on a caller's time zone. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
