export interface ProratableItem {
  unitAmount: number;
  quantity: number;
}

export interface ProrationResult {
  /** Negative: credit for the unused time on the old price. */
  credit: number;
  /** Positive: charge for the remaining time on the new price. */
  charge: number;
}

/**
 * Stripe's proration: the unused fraction of the current period, measured in seconds
 * ((period end − change time) / (period end − period start)), applied to each price's full-period
 * amount and rounded per line to the nearest minor unit.
 */
export function remainingFraction(period: { start: number; end: number }, at: number): number {
  const length = period.end - period.start;
  if (length <= 0) return 0;
  const remaining = Math.min(Math.max(period.end - at, 0), length);
  return remaining / length;
}

export function prorate(
  oldItem: ProratableItem | null,
  newItem: ProratableItem | null,
  period: { start: number; end: number },
  at: number,
): ProrationResult {
  const fraction = remainingFraction(period, at);
  const credit = oldItem ? -Math.round(oldItem.unitAmount * oldItem.quantity * fraction) : 0;
  const charge = newItem ? Math.round(newItem.unitAmount * newItem.quantity * fraction) : 0;
  return { credit: credit === 0 ? 0 : credit, charge };
}
