import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parseDocument } from 'yaml';
import { ConfigError, loadConfig } from '../../../src/config';

/**
 * What a Docker engine would reject or get wrong, checked without one: docker-compose.yml against the Compose
 * Specification's JSON schema (vendored: test/fixtures/compose-spec), the variables each app service needs in
 * production, pinned images, health checks, the Dockerfile's stages.
 */
const root = path.resolve(__dirname, '../../..');
const composeText = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: unknown; disable?: boolean };
  restart?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `$$`. */
function interpolate(text: string, env: Record<string, string>, missing: Set<string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name?: string, op?: string, arg?: string) => {
      if (match === '$$') return '$';
      const value = env[name as string];
      const unset = value === undefined || (op?.startsWith(':') && value === '');
      if (op?.endsWith('?')) {
        if (unset) missing.add(name as string);
        return unset ? '' : (value as string);
      }
      if (op?.endsWith('-')) return unset ? (arg ?? '') : (value as string);
      return value ?? '';
    },
  );
}

function load(env: Record<string, string>): { services: Record<string, Service>; missing: Set<string> } {
  const missing = new Set<string>();
  const doc = parseDocument(interpolate(composeText, env, missing), { merge: true });
  expect(doc.errors).toEqual([]);
  return { services: (doc.toJS({ maxAliasCount: 100 }) as { services: Record<string, Service> }).services, missing };
}

/** Values an operator would put in the environment (or an .env file) for `docker compose up`. */
const SECRETS = {
  POSTGRES_PASSWORD: 'pg-password-from-the-secret-store',
  TEMPORAL_POSTGRES_PASSWORD: 'temporal-pg-password-from-the-secret-store',
  JWT_SECRET: 'a-jwt-secret-of-at-least-thirty-two-characters',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'billing',
  STRIPE_WEBHOOK_SECRET: 'whsec_from_the_secret_store_0123456789',
  USAGE_SERVICE_TOKENS: 'svc_usage_token_0123456789abcdef',
  ADMIN_TOKENS: 'admin_token_0123456789abcdef0123456789',
};

/** The schema names draft-07 by its https URL; Ajv knows the meta-schema by the http one. */
function composeSchemaValidator(opts: { allErrors?: boolean } = {}) {
  const schema = JSON.parse(readFileSync(path.join(root, 'test/fixtures/compose-spec/compose-spec.json'), 'utf8'));
  const ajv = new Ajv({ strict: false, ...opts });
  ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(schema as object);
}

const longRunning = (s: Service) => s.restart !== 'no';
const appServices = ['api', 'worker', 'migrate'];

describe('docker-compose.yml as a deployment', () => {
  test('is valid against the Compose Specification’s JSON schema', () => {
    const validate = composeSchemaValidator({ allErrors: true });
    const doc = parseDocument(composeText, { merge: true }).toJS({ maxAliasCount: 100 }) as object;
    const valid = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check can fail: a misspelt key is reported', () => {
    const validate = composeSchemaValidator();
    expect(validate({ services: { api: { image: 'x:1.0', helthcheck: {} } } })).toBe(false);
  });

  test('every secret is required (no default): compose stops naming each one missing', () => {
    expect([...load({}).missing].sort()).toEqual(Object.keys(SECRETS).sort());
    expect(composeText).not.toMatch(/change-me|change_me/);
  });

  test.each(appServices)('%s gets every variable the service needs in production, and they parse', (name) => {
    const { services, missing } = load(SECRETS);
    expect(missing.size).toBe(0);
    const env = Object.fromEntries(
      Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, v ?? '']),
    ) as Record<string, string>;
    expect(env.NODE_ENV).toBe('production');
    for (const required of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'JWT_SECRET', 'SMTP_URL']) {
      expect(env[required]).toBeTruthy();
    }
    // The app's own validation, as the container runs it at start (without HOME: no Temporal profile file).
    let config;
    try {
      config = loadConfig(env);
    } catch (err) {
      throw new Error(err instanceof ConfigError ? err.message : String(err), { cause: err });
    }
    expect(config.database.url).toContain('@postgres:5432/');
    expect(config.temporal.address).toBe('temporal:7233');
  });

  test('the simulator and the API reach each other by service name (never localhost)', () => {
    const { services } = load(SECRETS);
    const env = services.api?.environment ?? {};
    expect(new URL(env.STRIPE_API_URL ?? '').hostname).toBe('stripe-sim');
    expect(new URL(env.STRIPE_SIM_WEBHOOK_URL ?? '').hostname).toBe('api');
    expect(env.STRIPE_SIM_WEBHOOK_URL).toMatch(/\/api\/v1\/billing\/webhooks\/stripe$/);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['stripe-sim', 'api']));
    expect(env.HOST).toBe('0.0.0.0');
  });

  test('every image is pinned to a version (no latest, no bare major)', () => {
    const { services } = load(SECRETS);
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      expect({ name, image: service.image }).toEqual({
        name,
        image: expect.stringMatching(/^[\w./-]+(:v?\d+\.\d+(\.\d+)?[\w.-]*|@sha256:[0-9a-f]{64})$/),
      });
    }
  });

  test('every long-running service has a health check; one-shot jobs gate what needs them', () => {
    const { services } = load(SECRETS);
    for (const [name, service] of Object.entries(services).filter(([, s]) => longRunning(s))) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test) && !service.healthcheck?.disable }).toEqual({
        name,
        healthcheck: true,
      });
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dep];
        expect({ name, dep, condition }).toEqual({
          name,
          dep,
          condition: target && longRunning(target) ? 'service_healthy' : 'service_completed_successfully',
        });
      }
    }
  });

  test('Temporal runs on Postgres (persistence and visibility), with admin tools and the UI', () => {
    const { services } = load(SECRETS);
    expect(services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(services.temporal?.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'temporal-postgres',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    expect(services['temporal-admin-tools']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    const namespaceJob = JSON.stringify(services['temporal-namespace']?.command);
    for (const attribute of [
      'BillingOrganizationId',
      'BillingPlan',
      'BillingStatus',
      'BillingDunningAttempt',
      'BillingPeriodEnd',
    ]) {
      expect(namespaceJob).toContain(attribute);
    }
  });

  test('the app containers run compiled JavaScript with node (no tsx, no npx), files the image builds', () => {
    const { services } = load(SECRETS);
    for (const name of [...appServices, 'stripe-sim', 'mail-sink']) {
      const command = services[name]?.command as string[];
      expect(command[0]).toBe('node');
      const compiled = command[1] as string;
      expect(compiled).toMatch(/^dist\/.*\.js$/);
      expect(existsSync(path.join(root, compiled.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1] ?? '';

  test('multi-stage on a pinned current Node.js LTS (26, Lithium)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:26\.\d+\.\d+-[\w-]+$/m);
  });

  test('the build stage compiles TypeScript and the workflow bundle once', () => {
    expect(dockerfile).toMatch(/tsc -p tsconfig\.build\.json/);
    expect(dockerfile).toMatch(/bundle-workflows\.js dist\/workflow-bundle\.js/);
    expect(runtime).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
  });

  test('the image holds production dependencies only', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=prod-deps .*node_modules/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(runtime).not.toMatch(/\btsx\b/);
  });

  test('runs as a non-root user under an init process', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/server\.js"\]$/m);
  });

  test('the compiled entry points are in the build configuration, and nothing they import is a dev dependency', () => {
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(build.include).toEqual(expect.arrayContaining(['src', 'tools/stripe-sim', 'tools/mail-sink']));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const prod = new Set(Object.keys(pkg.dependencies));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'test') walk(file);
        } else if (entry.name.endsWith('.ts')) {
          const text = readFileSync(file, 'utf8');
          // Type-only imports vanish at compile time; everything else must be installed with --omit=dev.
          for (const [, typeOnly, spec] of text.matchAll(/^(?:import|export)( type)?[^'"]*?from '([^'.][^']*)'/gm)) {
            if (typeOnly || !spec || spec.startsWith('node:')) continue;
            const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
            if (name && !prod.has(name)) offenders.push(`${path.relative(root, file)}: ${spec}`);
          }
        }
      }
    };
    for (const dir of build.include) walk(path.join(root, dir));
    expect(offenders).toEqual([]);
  });
});
