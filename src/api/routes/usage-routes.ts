import type { Endpoint } from '../endpoint';
import { checkEntitlementEndpoint } from './entitlements-check';
import { listEntitlementsEndpoint } from './entitlements-list';
import { ingestUsageEndpoint } from './usage-ingest';
import { usageHistoryEndpoint } from './usage-history';

/** Usage and entitlements under /api/v1/billing: ingestion (services), history (users), limits (both). */
export const usageEndpoints: Endpoint[] = [
  ingestUsageEndpoint,
  usageHistoryEndpoint,
  listEntitlementsEndpoint,
  checkEntitlementEndpoint,
];
