import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { Notifier } from '../notifications/types';
import { markAlertNotified, unnotifiedAlerts, type CrossedThreshold } from './store';

export interface ThresholdAlertDeps {
  db: Db;
  notifier?: Notifier | undefined;
  logger?: Logger | undefined;
}

/** Deterministic per organization, metric, period and threshold: a repeat enqueue stores nothing. */
export function thresholdDedupeKey(
  alert: Pick<CrossedThreshold, 'organization_id' | 'metric' | 'period_start' | 'threshold_percent'>,
): string {
  return `usage_threshold:${alert.organization_id}:${alert.metric}:${new Date(alert.period_start).toISOString()}:${alert.threshold_percent}`;
}

/**
 * Enqueues the notification for thresholds just crossed and marks them notified. The alert row was
 * committed with the usage, so a failure here loses nothing: notifyPendingThresholdAlerts resends
 * later (the notifier dedupes by key).
 */
export async function notifyThresholds(deps: ThresholdAlertDeps, crossed: readonly CrossedThreshold[]): Promise<void> {
  if (!deps.notifier || crossed.length === 0) return;
  for (const alert of crossed) {
    try {
      await deps.notifier.enqueue({
        organizationId: alert.organization_id,
        kind: 'usage_threshold',
        dedupeKey: thresholdDedupeKey(alert),
        data: {
          metric: alert.metric,
          thresholdPercent: alert.threshold_percent,
          limit: Number(alert.limit_value),
          used: Number(alert.used),
          periodEnd: new Date(alert.period_end).toISOString(),
        },
      });
      await markAlertNotified(deps.db, alert);
    } catch (err) {
      deps.logger?.warn({ err, alert: thresholdDedupeKey(alert) }, 'usage threshold notification deferred');
    }
  }
}

/** The catch-up sweep for alerts whose notification did not go out (run it periodically). */
export async function notifyPendingThresholdAlerts(
  deps: ThresholdAlertDeps,
  opts: { limit?: number } = {},
): Promise<number> {
  const crossed = await unnotifiedAlerts(deps.db, opts.limit ?? 500);
  await notifyThresholds(deps, crossed);
  return crossed.length;
}
