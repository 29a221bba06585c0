import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { checkEntitlementRoute } from './entitlements-check';
import { listEntitlementsRoute } from './entitlements-list';
import { ingestUsageRoute } from './usage-ingest';
import { usageHistoryRoute } from './usage-history';

/** Usage and entitlements under /api/v1/billing: ingestion (services), history (users), limits (both). */
export const usageRoutes = new OpenAPIHono<AppEnv>()
  .route('/', ingestUsageRoute)
  .route('/', usageHistoryRoute)
  .route('/', listEntitlementsRoute)
  .route('/', checkEntitlementRoute);
