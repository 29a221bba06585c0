import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, PUBLISHED_SECRETS, SIMULATOR_WEBHOOK_SECRET, loadConfig } from '../../../src/config';

const root = path.resolve(__dirname, '../../..');

/** A production environment with nothing published in it. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://billing:a-password-of-our-own@db.internal:5432/billing',
  JWT_SECRET: 'an-hs256-secret-of-our-own-0123456789abcdef',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'billing',
  STRIPE_WEBHOOK_SECRET: 'whsec_ourownsecret0123456789',
  USAGE_SERVICE_TOKENS: 'svc_our_own_token_0123456789abcdef',
  ADMIN_TOKENS: 'adm_our_own_token_0123456789abcdefghijkl',
};

function problems(env: Record<string, string | undefined>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

/** Variables that carry a secret, as .env.example and docker-compose.yml name them. */
const SECRET_VARIABLE = /SECRET|TOKENS|PASSWORD|DATABASE_URL/;

/** Every literal value (or `${VAR:-default}` default) either file gives a secret variable. */
function publishedValues(): { variable: string; value: string; file: string }[] {
  const out: { variable: string; value: string; file: string }[] = [];
  for (const line of readFileSync(path.join(root, '.env.example'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(\S*)/.exec(line);
    if (m?.[1] && m[2] && SECRET_VARIABLE.test(m[1])) out.push({ variable: m[1], value: m[2], file: '.env.example' });
  }
  const compose = parseDocument(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }).toJS({
    maxAliasCount: 100,
  }) as { services: Record<string, { environment?: Record<string, string>; command?: unknown }> };
  for (const service of Object.values(compose.services)) {
    for (const [variable, raw] of Object.entries(service.environment ?? {})) {
      if (!SECRET_VARIABLE.test(variable)) continue;
      const value = String(raw).replace(/\$\{(\w+):-([^}]*)\}/g, '$2');
      if (value && !/\$\{\w+:\?[^}]+\}/.test(value)) out.push({ variable, value, file: 'docker-compose.yml' });
    }
    const command = Array.isArray(service.command) ? service.command.map(String) : [];
    const i = command.indexOf('--webhook-secret');
    if (i >= 0)
      out.push({ variable: 'STRIPE_WEBHOOK_SECRET', value: command[i + 1] ?? '', file: 'docker-compose.yml' });
  }
  return out;
}

describe('production refuses secrets published in this repository', () => {
  test('a production configuration of its own loads', () => {
    expect(problems(PRODUCTION)).toEqual([]);
  });

  test.each([
    ['JWT_SECRET', 'the development JWT secret', loadConfig({}).auth.jwtSecret],
    ['STRIPE_WEBHOOK_SECRET', "the simulator's webhook secret", SIMULATOR_WEBHOOK_SECRET],
    [
      'STRIPE_WEBHOOK_SECRET',
      "the simulator's, during a rotation",
      `whsec_ourownsecret0123,${SIMULATOR_WEBHOOK_SECRET}`,
    ],
    ['STRIPE_WEBHOOK_SECRET', "nothing (the simulator's would apply)", undefined],
    ['STRIPE_SECRET_KEY', "stripe-mock's key", 'sk_test_123'],
    ['USAGE_SERVICE_TOKENS', 'the test service token', 'svc_test_token_0123456789abcdef'],
    ['USAGE_SERVICE_TOKENS', 'a placeholder bound to an organization', 'svc_change_me_to_a_long_random_token@org_a'],
    ['ADMIN_TOKENS', 'a change-me placeholder', 'admin-token-change-me-please-0123456789'],
    ['METRICS_TOKENS', 'a change-me placeholder', 'metrics-token-change-me-please-0123456789'],
    ['DATABASE_URL', 'the published database password', 'postgres://billing:billing@db.internal:5432/billing'],
    ['DATABASE_URL', 'no password at all', 'postgres://billing@db.internal:5432/billing'],
    ['JWT_ISSUER', 'no issuer', undefined],
    ['JWT_AUDIENCE', 'no audience', undefined],
    ['JWT_JWKS_URL', 'keys over plain http', 'http://auth.example.com/.well-known/jwks.json'],
  ])('%s: %s is refused, naming the variable', (variable, _what, value) => {
    const found = problems({ ...PRODUCTION, [variable]: value });
    expect(found.map((p) => p.variable)).toEqual([variable]);
  });

  test('JWKS over https is accepted in production, and outside production nothing of this applies', () => {
    expect(
      problems({
        ...PRODUCTION,
        JWT_SECRET: undefined,
        JWT_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json',
      }),
    ).toEqual([]);
    expect(problems({ NODE_ENV: 'development', JWT_SECRET: loadConfig({}).auth.jwtSecret })).toEqual([]);
  });

  test('every secret value .env.example and docker-compose.yml give is refused in production by its variable', () => {
    const values = publishedValues();
    expect(values.map((v) => v.variable)).toEqual(expect.arrayContaining(['DATABASE_URL']));
    for (const { variable, value, file } of values) {
      const found = problems({ ...PRODUCTION, [variable]: value }).map((p) => p.variable);
      if (!found.includes(variable)) throw new Error(`${file}: ${variable}=${value} is accepted in production`);
    }
    expect(PUBLISHED_SECRETS.size).toBeGreaterThan(0);
  });
});

describe('service tokens may be bound to organizations', () => {
  test('token@org_a|org_b binds a token; a plain token stays unbound', () => {
    const { auth } = loadConfig({
      USAGE_SERVICE_TOKENS: 'svc_bound_token_0123456789abcdef@org_a|org_b, svc_free_token_0123456789abcdef',
    });
    expect(auth.usageServiceTokens).toEqual(['svc_bound_token_0123456789abcdef', 'svc_free_token_0123456789abcdef']);
    expect([...auth.serviceTokenOrganizations]).toEqual([['svc_bound_token_0123456789abcdef', ['org_a', 'org_b']]]);
  });

  test.each(['svc_bound_token_0123456789abcdef@', 'svc_bound_token_0123456789abcdef@org a', 'short@org_a'])(
    '%s is refused by name',
    (entry) => {
      expect(problems({ USAGE_SERVICE_TOKENS: entry }).map((p) => p.variable)).toEqual(['USAGE_SERVICE_TOKENS']);
    },
  );
});
