import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from './context';
import { envelope } from './errors';
import { onError } from './middleware/on-error';
import { requestContext } from './middleware/request-context';
import { healthRoutes } from './routes/health';

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestContext(deps));
  app.onError(onError);
  app.notFound((c) => c.json(envelope('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));
  app.route('/', healthRoutes);
  return app;
}
