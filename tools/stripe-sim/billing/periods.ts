export type Interval = 'day' | 'week' | 'month' | 'year';

const DAY = 86_400;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/**
 * `anchor` moved by `n` billing intervals. Months are counted from the anchor itself (not chained),
 * so a Jan 31 anchor bills Feb 28/29, then Mar 31 — Stripe's billing-cycle-anchor behaviour.
 */
export function shiftByIntervals(anchor: number, interval: Interval, count: number, n: number): number {
  if (interval === 'day') return anchor + n * count * DAY;
  if (interval === 'week') return anchor + n * count * 7 * DAY;
  const months = (interval === 'year' ? 12 : 1) * count * n;
  const d = new Date(anchor * 1000);
  const total = d.getUTCMonth() + months;
  const year = d.getUTCFullYear() + Math.floor(total / 12);
  const month = ((total % 12) + 12) % 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

/** The first period boundary on the anchor's cycle strictly after `after`. */
export function nextPeriodEnd(anchor: number, interval: Interval, count: number, after: number): number {
  if (anchor > after) return anchor;
  let low = 0;
  let high = 1;
  while (shiftByIntervals(anchor, interval, count, high) <= after) high *= 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (shiftByIntervals(anchor, interval, count, mid) <= after) low = mid;
    else high = mid;
  }
  return shiftByIntervals(anchor, interval, count, high);
}
