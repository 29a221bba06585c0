import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { OPENAPI_CONFIG, OPENAPI_PATH, registerComponents } from '../openapi-document';
import { docsAssetsRoutes } from './docs-assets';

/** The OpenAPI 3.1 document is generated from the route definitions; /docs renders it from local assets. */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  registerComponents(app);
  app.doc31(OPENAPI_PATH, OPENAPI_CONFIG);
  app.route('/', docsAssetsRoutes);
}
