import { docsAssetsRoutes } from '../../../src/api/routes/docs-assets';

describe('/docs works with no network', () => {
  test('the page loads Swagger UI only from its own origin, and CSP forbids anything else', async () => {
    const res = await docsAssetsRoutes.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThanOrEqual(4);
    expect(refs.filter((r) => !r.startsWith('/docs/assets/'))).toEqual([]);
    for (const ref of refs) {
      const asset = await docsAssetsRoutes.request(ref);
      expect([ref, asset.status]).toEqual([ref, 200]);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(20);
    }
  });

  test('the initializer points Swagger UI at the served document; unknown assets are 404', async () => {
    const page = await (await docsAssetsRoutes.request('/docs')).text();
    expect(page).toContain('data-openapi-url="/api/v1/openapi.json"');
    expect(await (await docsAssetsRoutes.request('/docs/assets/init.js')).text()).toContain('dataset.openapiUrl');
    expect((await docsAssetsRoutes.request('/docs/assets/..%2Fpackage.json')).status).toBe(404);
    expect((await docsAssetsRoutes.request('/docs/assets/index.html')).status).toBe(404);
  });
});
