/**
 * Usage periods: the window counters accumulate in and limits apply to. A live subscription's period
 * comes from the read model (Stripe's billing period); without one (free) it is the UTC calendar month.
 * Times are epoch milliseconds.
 */
export interface UsagePeriod {
  start: number;
  end: number;
}

export interface SubscriptionPeriod {
  currentPeriodStart: number | null;
  currentPeriodEnd: number | null;
}

/** `months` after `anchor`, keeping the day of month and clamping to the month's last day (Jan 31 → Feb 28). */
export function addMonthsUtc(anchor: number, months: number): number {
  const d = new Date(anchor);
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}

export function calendarMonth(at: number): UsagePeriod {
  const d = new Date(at);
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

/** The period the organization is in according to the read model (not rolled forward). */
export function currentPeriodStart(subscription: SubscriptionPeriod | null, now: number): number {
  return subscription?.currentPeriodStart ?? calendarMonth(now).start;
}

/**
 * The period containing `at`. Past the read model's period end (the renewal not projected yet) the
 * period rolls forward month by month from the anchor, as Stripe will bill it. Callers reject times
 * before the current period first (see eventTimeRejection).
 */
export function usagePeriodAt(at: number, subscription: SubscriptionPeriod | null): UsagePeriod {
  const start = subscription?.currentPeriodStart;
  const end = subscription?.currentPeriodEnd;
  if (start == null || end == null) return calendarMonth(at);
  let period = { start, end };
  // Anchored on the known period end so month-end clamping never drifts (Jan 31 → Feb 28 → Mar 31).
  for (let k = 1; at >= period.end && k <= 24; k++) period = { start: period.end, end: addMonthsUtc(end, k) };
  return period;
}
