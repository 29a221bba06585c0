import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const file = path.resolve(__dirname, '../../../docker-compose.yml');

describe('docker-compose.yml', () => {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true });
  const compose = doc.toJS({ maxAliasCount: 100 }) as {
    services: Record<
      string,
      {
        healthcheck?: unknown;
        depends_on?: Record<string, { condition: string }>;
        environment?: Record<string, string>;
        command?: unknown;
      }
    >;
    volumes: Record<string, unknown>;
  };

  test('parses as YAML without errors', () => {
    expect(doc.errors).toEqual([]);
  });

  test('runs Postgres, Temporal with its UI, stripe-mock, the API and the worker', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'stripe-mock', 'api', 'worker']),
    );
  });

  test('every long-running dependency has a health check and a named volume keeps state', () => {
    for (const name of ['postgres', 'temporal', 'stripe-mock', 'stripe-sim', 'api']) {
      expect(compose.services[name]?.healthcheck).toBeDefined();
    }
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'temporal']));
  });

  test('depends_on only names services that exist', () => {
    for (const service of Object.values(compose.services)) {
      for (const dep of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dep);
    }
  });

  test('the app containers get every required connection setting', () => {
    for (const name of ['api', 'worker']) {
      expect(compose.services[name]?.environment).toMatchObject({
        DATABASE_URL: expect.stringContaining('postgres://'),
        TEMPORAL_ADDRESS: 'temporal:7233',
      });
    }
  });

  test('the secrets come from the environment of `docker compose up`, with no default to fall back on', () => {
    const required = /^\$\{(\w+):\?[^}]+\}$/;
    for (const name of ['api', 'worker', 'migrate']) {
      const env = compose.services[name]?.environment ?? {};
      for (const variable of [
        'JWT_SECRET',
        'JWT_ISSUER',
        'JWT_AUDIENCE',
        'STRIPE_WEBHOOK_SECRET',
        'USAGE_SERVICE_TOKENS',
      ])
        expect([variable, required.exec(env[variable] ?? '')?.[1]]).toEqual([variable, variable]);
      expect(env.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    }
    expect(compose.services.postgres?.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    // The simulator signs with the secret the API verifies.
    expect(compose.services['stripe-sim']?.command).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\$\{STRIPE_WEBHOOK_SECRET:\?/)]),
    );
  });
});
