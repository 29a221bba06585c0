/** Usage metering and entitlements: what the composition roots and the subscription workflow's activities use. */
export { ingestUsageEvents, type IngestDeps, type IngestResult, type EventRejection } from './ingest';
export { readEntitlements, checkEntitlement, type Entitlements, type CheckResult } from './entitlements';
export { consumeEntitlement, type ConsumeInput, type ConsumeResult } from './consume';
export { usageHistory, type UsagePoint } from './store';
export { reportDueOverage, type OverageRoundResult } from './overage-due';
export {
  reportOverage,
  overageIdentifier,
  type ReportOverageDeps,
  type ReportOverageInput,
  type OverageReport,
  type MeterEventsClient,
} from './overage';
export { syncUsageMeters, type MetersSyncResult } from './meters-sync';
export { runUsageMaintenance, type UsageMaintenanceResult } from './maintenance';
export { notifyPendingThresholdAlerts } from './threshold-alerts';
