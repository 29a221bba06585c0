import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './context';
import { envelope, requestValidationFailed } from './errors';
import { httpMetrics } from './middleware/http-metrics';
import { onError } from './middleware/on-error';
import { requestContext } from './middleware/request-context';
import { adminRoutes } from './routes/admin';
import { billingRoutes } from './routes/billing';
import { mountDocs } from './routes/docs';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { stripeWebhookRoutes } from './routes/stripe-webhook';
import { usageRoutes } from './routes/usage-routes';

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // zod failures from any route's request schema become one VALIDATION_FAILED envelope.
    defaultHook: (result) => {
      if (!result.success) throw requestValidationFailed(result.error.issues);
    },
  });
  app.use('*', requestContext(deps), httpMetrics());
  app.onError(onError);
  app.notFound((c) => c.json(envelope('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));
  app.route('/', healthRoutes);
  app.route('/', metricsRoutes);
  app.route('/api/v1/billing', billingRoutes);
  app.route('/api/v1/billing', stripeWebhookRoutes);
  app.route('/api/v1/billing', usageRoutes);
  app.route('/api/v1/billing', adminRoutes);
  mountDocs(app);
  return app;
}
