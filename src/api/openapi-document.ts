import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';
import { UsageEventDoc } from './routes/usage-ingest';

/** The document's header: its committed copy is docs/openapi.json, the typed client's types come from it. */
export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: {
    title: 'Billing API',
    version: '1.0.0',
    description:
      'Subscription billing on Stripe. Every error uses one envelope: `{ error: { code, message, requestId, details? } }`. ' +
      'Mutations accept an `Idempotency-Key` header.',
  },
} as const;

/** Where the API serves the document (also what /docs renders). */
export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * Components the routes name without a schema of their own: the security schemes (each endpoint's auth becomes
 * `security` in endpoint.ts) and the usage event (its batch is validated item by item, so its body schema is loose).
 */
export function registerComponents(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.register('UsageEvent', UsageEventDoc);
  app.openAPIRegistry.registerComponent('securitySchemes', 'userToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A user token with claims sub, org_id, role (owner | admin | billing_admin | member), exp',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An operator token from ADMIN_TOKENS (admin routes); user tokens never grant admin access',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'serviceToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A service token from USAGE_SERVICE_TOKENS (usage ingestion, entitlement checks)',
  });
}
