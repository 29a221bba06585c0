import { createApp } from '../../../src/api/app';
import { loadConfig } from '../../../src/config';
import { buildTestAppDeps } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';

const FRONTEND = 'https://app.example.com';

describe('CORS for configured origins (CORS_ORIGINS)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(() => t.destroy());

  const app = (env: Record<string, string>) => createApp(buildTestAppDeps({ db: t.db, env }));
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'PATCH',
      'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
    },
  });

  test('a configured origin gets its preflight answered and reads answers, errors included, with the request id', async () => {
    const api = app({ CORS_ORIGINS: `${FRONTEND},http://localhost:5173` });
    const pre = await api.request('/api/v1/billing/subscription', preflight(FRONTEND));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();

    const denied = await api.request('/api/v1/billing/subscription', { headers: { Origin: FRONTEND } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(FRONTEND);
    expect(denied.headers.get('access-control-expose-headers')).toContain('X-Request-Id');

    const plans = await api.request('/api/v1/billing/plans', { headers: { Origin: 'http://localhost:5173' } });
    expect(plans.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  test('any other origin, or none configured, gets no CORS headers', async () => {
    const api = app({ CORS_ORIGINS: FRONTEND });
    const other = await api.request('/api/v1/billing/subscription', preflight('https://evil.example'));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const none = await app({}).request('/api/v1/billing/plans', { headers: { Origin: FRONTEND } });
    expect(none.status).toBe(200);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('CORS_ORIGINS accepts only origins', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/billing' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com/' }).http.corsOrigins).toEqual([FRONTEND]);
  });
});
