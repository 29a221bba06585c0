import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './context';
import type { Endpoint } from './endpoint';
import { endpointRoutes } from './endpoint-hono';
import type { MountedEndpoint } from './endpoint-node';
import { envelope, requestValidationFailed } from './errors';
import { corsForOrigins } from './middleware/cors';
import { httpMetrics } from './middleware/http-metrics';
import { onError } from './middleware/on-error';
import { requestContext } from './middleware/request-context';
import { closeAfterUnreadBody, refuseBodyOutside } from './middleware/request-body';
import { adminEndpoints } from './routes/admin';
import { billingEndpoints } from './routes/billing';
import { OPENAPI_CONFIG } from './openapi-document';
import { billingPageRoutes } from '../billing-page/routes';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { stripeWebhookEndpoint } from './routes/stripe-webhook';
import { usageEndpoints } from './routes/usage-routes';

const BILLING = '/api/v1/billing';

/** The endpoint groups, per resource, and where each is mounted: the Hono routes and the node:http adapter both come from here. */
const ENDPOINT_GROUPS: readonly { prefix: string; endpoints: Endpoint[] }[] = [
  { prefix: BILLING, endpoints: billingEndpoints },
  { prefix: BILLING, endpoints: [stripeWebhookEndpoint] },
  { prefix: BILLING, endpoints: usageEndpoints },
  { prefix: BILLING, endpoints: adminEndpoints },
];

/** Where Stripe delivers webhooks (the simulator's endpoint is registered with it). */
export const STRIPE_WEBHOOK_PATH = `${BILLING}${stripeWebhookEndpoint.path}`;

/** Every endpoint at its full path. */
export const MOUNTED_ENDPOINTS: readonly MountedEndpoint[] = ENDPOINT_GROUPS.flatMap(({ prefix, endpoints }) =>
  endpoints.map((endpoint) => ({ path: `${prefix}${endpoint.path}`, endpoint })),
);

/** Every route and the OpenAPI document (no dependencies: the document is built from this alone). */
export function mountRoutes(app: OpenAPIHono<AppEnv>): void {
  app.route('/', healthRoutes);
  app.route('/', metricsRoutes);
  for (const { prefix, endpoints } of ENDPOINT_GROUPS) app.route(prefix, endpointRoutes(...endpoints));
  mountDocs(app);
  app.route('/', billingPageRoutes);
}

/** The OpenAPI document the API serves, built from the route definitions (docs/openapi.json is its committed copy). */
export function openApiDocument(): ReturnType<OpenAPIHono['getOpenAPI31Document']> {
  const app = new OpenAPIHono<AppEnv>();
  mountRoutes(app);
  return app.getOpenAPI31Document(OPENAPI_CONFIG);
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // zod failures from any route's request schema become one VALIDATION_FAILED envelope.
    defaultHook: (result) => {
      if (!result.success) throw requestValidationFailed(result.error.issues);
    },
  });
  app.use('*', closeAfterUnreadBody, requestContext(deps), httpMetrics(), refuseBodyOutside(BILLING));
  if (deps.config.http.corsOrigins.length > 0) app.use('/api/*', corsForOrigins(deps.config));
  app.onError(onError);
  app.notFound((c) =>
    c.json(envelope('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404),
  );
  mountRoutes(app);
  return app;
}
