import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/**
 * The typed client of the billing API, generated from docs/openapi.json (src/client/schema.d.ts by
 * openapi-typescript) and driven by openapi-fetch: paths, bodies, queries and answers are checked by the compiler.
 * The billing page, the demo and the browser tests call the API through it.
 */
export type BillingClient = Client<paths>;
export type BillingSchemas = components['schemas'];
export type { components, paths };

export interface BillingClientOptions {
  /** Where the API is (origin only, e.g. http://127.0.0.1:3000); '' in a page the API serves. */
  baseUrl: string;
  /** The bearer token to send (a user token, or a service or admin token), read on every request. */
  token?: () => string | undefined;
  /** Replaces the global fetch (e.g. to retry): it receives each request openapi-fetch built. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createBillingClient(options: BillingClientOptions): BillingClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** The API's error envelope, when an answer is one. */
export function errorOf(body: unknown): BillingSchemas['Error']['error'] | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'code' in error
    ? (error as BillingSchemas['Error']['error'])
    : undefined;
}
