/** The seed's success metrics and their targets, as ratios (0.999 = 99.9 %). */
export const SUCCESS_FIGURES = [
  'payment_success_rate',
  'webhook_processing_failure_rate',
  'invoice_delivery_rate',
  'payment_retry_rate',
] as const;
export type SuccessFigure = (typeof SUCCESS_FIGURES)[number];

export interface Target {
  comparison: '>=' | '<';
  value: number;
}

export const SUCCESS_TARGETS: Readonly<Record<SuccessFigure, Target>> = {
  payment_success_rate: { comparison: '>=', value: 0.999 },
  webhook_processing_failure_rate: { comparison: '<', value: 0.01 },
  invoice_delivery_rate: { comparison: '>=', value: 1 },
  payment_retry_rate: { comparison: '<', value: 0.05 },
};

/** null when there was nothing to measure: no data neither meets nor misses a target. */
export function meetsTarget(value: number | null, target: Target): boolean | null {
  if (value === null) return null;
  return target.comparison === '>=' ? value >= target.value : value < target.value;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 2)} %`;
}

export function describeTarget(target: Target): string {
  return `${target.comparison === '>=' ? '≥' : '<'} ${Number((target.value * 100).toFixed(2))} %`;
}
