import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';

/** The OpenAPI 3 document is generated from the route definitions; /docs renders it. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
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
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Billing API',
      version: '1.0.0',
      description:
        'Subscription billing on Stripe. Every error uses one envelope: `{ error: { code, message, requestId, details? } }`. ' +
        'Mutations accept an `Idempotency-Key` header.',
    },
  });
  app.get('/docs', swaggerUI({ url: '/api/v1/openapi.json' }));
}
