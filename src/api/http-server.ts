import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { MOUNTED_ENDPOINTS } from './app';
import type { AppDeps, AppEnv } from './context';
import { nodeAdapter, type MountedEndpoint } from './endpoint-node';

/**
 * The API's HTTP server: the Hono app, except for the endpoints whose definition asks for the raw
 * node:http adapter generated from it (src/api/endpoint-node.ts), matched by method and pathname.
 */
export function createHttpServer(
  app: OpenAPIHono<AppEnv>,
  deps: AppDeps,
  endpoints: readonly MountedEndpoint[] = MOUNTED_ENDPOINTS,
): Server {
  const hono = getRequestListener(app.fetch);
  const direct = nodeAdapter(deps, endpoints);
  return createServer((req, res) => {
    if (!direct(req, res)) void hono(req, res);
  });
}

/** Listens on host:port and resolves with the bound address (port 0 = any free port). */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
