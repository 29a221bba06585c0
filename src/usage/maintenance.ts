import { calendarMonth } from '../domain/usage-periods';
import { applyUsageRetention, ensureUsagePartitions } from './partitions';
import { notifyPendingThresholdAlerts, type ThresholdAlertDeps } from './threshold-alerts';

export interface UsageMaintenanceResult {
  droppedPartitions: string[];
  alertsRetried: number;
}

/**
 * Periodic upkeep (hourly is plenty): next month's raw-event partition ahead of time, raw events past
 * their retention dropped by whole partitions, and threshold alerts whose notification failed resent.
 */
export async function runUsageMaintenance(
  deps: ThresholdAlertDeps,
  opts: { now: number; rawRetentionDays: number },
): Promise<UsageMaintenanceResult> {
  await ensureUsagePartitions(deps.db, [opts.now, calendarMonth(opts.now).end]);
  const droppedPartitions = await applyUsageRetention(deps.db, { now: opts.now, retentionDays: opts.rawRetentionDays });
  const alertsRetried = await notifyPendingThresholdAlerts(deps);
  return { droppedPartitions, alertsRetried };
}
