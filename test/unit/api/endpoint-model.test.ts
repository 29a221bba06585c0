import { z } from '@hono/zod-openapi';
import { MOUNTED_ENDPOINTS } from '../../../src/api/app';
import { defineEndpoint, openApiRoute } from '../../../src/api/endpoint';
import { nodeAdapter } from '../../../src/api/endpoint-node';
import type { AppDeps } from '../../../src/api/context';

const definition = {
  method: 'post' as const,
  path: '/things',
  tags: ['things'],
  summary: 'A thing',
  responses: {},
  handle: () => ({}),
};

describe('the endpoint model', () => {
  test('every endpoint is mounted once under its own method and path', () => {
    const routes = MOUNTED_ENDPOINTS.map((m) => `${m.endpoint.method} ${m.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  test('only the endpoints whose definition asks for it get the node:http adapter (Stripe deliveries and usage ingestion, as measured)', () => {
    expect(
      MOUNTED_ENDPOINTS.filter((m) => m.endpoint.nodeAdapter).map((m) => `${m.endpoint.method} ${m.path}`),
    ).toEqual(['post /api/v1/billing/webhooks/stripe', 'post /api/v1/billing/usage/events']);
  });

  test("an endpoint's OpenAPI entry carries the security of its auth and its request schemas", () => {
    const body = z.object({ name: z.string() });
    const route = openApiRoute(
      defineEndpoint({ ...definition, auth: 'user-write', body: { kind: 'json', schema: body, required: true } }),
    );
    expect(route).toMatchObject({
      method: 'post',
      path: '/things',
      security: [{ userToken: [] }],
      request: { body: { required: true, content: { 'application/json': { schema: body } } } },
    });
    expect(openApiRoute(defineEndpoint({ ...definition, auth: 'public' }))).not.toHaveProperty('security');
  });

  test('the node:http adapter is refused for user endpoints and for endpoints with path or query parameters', () => {
    expect(() => defineEndpoint({ ...definition, auth: 'user-read', nodeAdapter: true })).toThrow(
      /public and service endpoints only/,
    );
    const withQuery = defineEndpoint({
      ...definition,
      auth: 'service',
      query: z.object({ q: z.string() }),
      nodeAdapter: true,
    });
    expect(() => nodeAdapter({} as AppDeps, [{ path: '/things', endpoint: withQuery }])).toThrow(
      /without path, query or header parameters/,
    );
  });
});
