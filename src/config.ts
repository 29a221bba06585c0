import { z } from 'zod';
import { CANCEL_REFUND_POLICIES, type CancelRefundPolicy } from './domain/cancellation';
import { POLICY_PROFILE_NAMES, type PolicyProfile } from './domain/policy-profiles';
import { otelSchema, tracingConfig, type TracingConfig } from './telemetry/otel-env';
import {
  temporalConnectionFromEnv,
  type TemporalConnectionSettings,
  type TemporalConnectionSummary,
} from './temporal-env';

/**
 * Every setting the service reads, parsed once. This module is the only reader of process.env;
 * everything else receives a Config. A missing or malformed variable is reported by name.
 */
const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    WORKER_METRICS_PORT: port.default(9464),
    PUBLIC_URL: z.url().optional(),
    CORS_ORIGINS: csv
      .pipe(
        z.array(
          z
            .url()
            .refine(
              (u) => URL.canParse(u) && new URL(u).origin === u.replace(/\/$/, ''),
              'each origin must be scheme://host[:port], no path',
            ),
        ),
      )
      .default([]),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .default('postgres://billing:billing@127.0.0.1:5433/billing'),
    DATABASE_POOL_MAX: positiveInt.default(10),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    WORKER_DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
    // Address, namespace, API key, TLS and the profile file: src/temporal-env.ts (Temporal's envconfig).
    TEMPORAL_TLS: flag.optional(),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('billing'),
    TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
    WORKFLOW_BUNDLE_PATH: z.string().regex(/\.js$/, 'must be the .js file `npm run build:workflows` writes').optional(),
    WORKFLOW_STACK_TRACES: flag.optional(),
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).max(100_000).optional(),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
    // The SDK needs two workflow task slots at least (one for the sticky queue, one for the normal one).
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).optional(),
    WORKER_STICKY_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).optional(),
    WORKER_SDK_METRICS_PORT: port.default(9465),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'must look like sk_test_… or sk_live_…')
      .optional(),
    STRIPE_API_URL: z.url().optional(),
    STRIPE_PUBLISHABLE_KEY: z
      .string()
      .regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, 'must look like pk_test_… or pk_live_…')
      .optional(),
    STRIPE_WEBHOOK_SECRET: csv
      .pipe(z.array(z.string().regex(/^whsec_\w+$/, 'each secret must start with whsec_')))
      .optional(),
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: positiveInt.default(300),
    STRIPE_TEST_CLOCKS: flag.default(false),
    STRIPE_TAX: flag.default(false),
    STRIPE_SIM_PORT: port.default(12211),
    STRIPE_SIM_WEBHOOK_URL: z.url().optional(),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
    USAGE_SERVICE_TOKENS: csv
      .pipe(
        z.array(
          z
            .string()
            .regex(
              /^[^@\s]{24,}(@[A-Za-z0-9_-]{1,64}(\|[A-Za-z0-9_-]{1,64})*)?$/,
              'each token must be at least 24 characters, optionally followed by @org_a|org_b (the organizations it may name)',
            ),
        ),
      )
      .default([]),
    ADMIN_TOKENS: csv.pipe(z.array(z.string().min(32, 'each admin token must be at least 32 characters'))).default([]),
    METRICS_TOKENS: csv
      .pipe(z.array(z.string().min(32, 'each metrics token must be at least 32 characters')))
      .default([]),
    METRICS_CACHE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(15_000),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .default('smtp://127.0.0.1:1025'),
    EMAIL_FROM: z.string().min(3).default('Billing <billing@localhost>'),
    EMAIL_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
    RATE_LIMIT_PER_MINUTE: positiveInt.default(600),
    PREVIEW_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
    PREVIEW_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(2),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(1_024),
    HTTP_MAX_HEADER_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(16_384),
    SHUTDOWN_TIMEOUT_MS: positiveInt.default(15_000),
    BILLING_POLICY_PROFILE: z.enum(POLICY_PROFILE_NAMES).default('standard'),
    CANCEL_REFUND: z.enum(CANCEL_REFUND_POLICIES).default('none'),
    USAGE_RAW_RETENTION_DAYS: positiveInt.default(90),
    USAGE_COMMIT_SHARDS: z.coerce.number().int().min(1).max(16).default(1),
    OVERAGE_REPORT_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    WEBHOOK_RELAY: z.enum(['worker', 'api']).default('worker'),
    WEBHOOK_RELAY_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    WEBHOOK_RELAY_SETTLE_MS: z.coerce.number().int().min(0).max(10_000).default(200),
    // 50: about seven hours of failures with the relay's backoff (17 min of doubling, then every 10 min).
    WEBHOOK_RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(50),
    IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS: z.coerce.number().int().min(60).max(86_400).default(300),
    IDEMPOTENCY_KEY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
    // At least 4: Stripe retries a delivery for up to three days, and a redelivered event must still find its id.
    WEBHOOK_INBOX_RETENTION_DAYS: z.coerce.number().int().min(4).max(3650).default(90),
    EMAIL_OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(400),
    ...otelSchema,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production')
      productionIssues(env).forEach((issue) => ctx.addIssue({ code: 'custom', ...issue }));
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
      });
    }
    if (env.ADMIN_TOKENS.some((t) => env.USAGE_SERVICE_TOKENS.map(serviceTokenOf).includes(t))) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_TOKENS'],
        message: 'an admin token must not also be a usage service token',
      });
    }
    if (env.STRIPE_SECRET_KEY?.includes('_live_') && env.STRIPE_TEST_CLOCKS) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_TEST_CLOCKS'], message: 'test clocks need a test-mode key' });
    }
    const keyMode = (key: string | undefined) => key?.match(/^[a-z]+_(test|live)_/)?.[1];
    if (
      env.STRIPE_PUBLISHABLE_KEY &&
      env.STRIPE_SECRET_KEY &&
      keyMode(env.STRIPE_PUBLISHABLE_KEY) !== keyMode(env.STRIPE_SECRET_KEY)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['STRIPE_PUBLISHABLE_KEY'],
        message: 'must be of the same mode (test or live) as STRIPE_SECRET_KEY',
      });
    }
  });

type Env = z.infer<typeof schema>;

/** A USAGE_SERVICE_TOKENS entry's token (the part before an optional `@org_a|org_b`). */
const serviceTokenOf = (entry: string): string => entry.split('@')[0] ?? entry;

/**
 * Secrets this repository publishes (the development JWT secret, the simulator's webhook and API keys, stripe-mock's
 * key, the placeholders and passwords of .env.example, docker-compose.yml and the test helpers): anyone can read them,
 * so production refuses each one by the variable that carries it. test/unit/config/published-secrets.test.ts keeps
 * the list in step with the files.
 */
export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([
  'dev-only-jwt-secret-change-me-0123456789',
  'whsec_simulator_local_secret',
  'sk_test_simulator',
  'sk_test_123',
  'change-me-to-a-long-random-secret-please',
  'svc_change_me_to_a_long_random_token',
  'svc_test_token_0123456789abcdef',
  'billing',
]);
const published = (value: string) => PUBLISHED_SECRETS.has(value) || /change[-_ ]?me/i.test(value);

function productionIssues(env: Env): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const refuse = (variable: string, message: string) => issues.push({ path: [variable], message });
  const publishedMessage = 'is a value published in this repository; set a secret of your own in production';
  if (!env.JWT_SECRET && !env.JWT_JWKS_URL)
    refuse('JWT_SECRET', 'JWT_SECRET or JWT_JWKS_URL is required in production');
  if (env.JWT_SECRET && published(env.JWT_SECRET)) refuse('JWT_SECRET', publishedMessage);
  if (env.JWT_JWKS_URL && !env.JWT_JWKS_URL.startsWith('https://'))
    refuse('JWT_JWKS_URL', 'must be an https:// URL in production (keys fetched in clear could be replaced)');
  if (!env.JWT_ISSUER) refuse('JWT_ISSUER', 'is required in production (tokens must name their issuer)');
  if (!env.JWT_AUDIENCE) refuse('JWT_AUDIENCE', 'is required in production (tokens must name this service)');
  if (!env.STRIPE_WEBHOOK_SECRET)
    refuse('STRIPE_WEBHOOK_SECRET', "is required in production (without it the simulator's published secret applies)");
  if (env.STRIPE_WEBHOOK_SECRET?.some(published)) refuse('STRIPE_WEBHOOK_SECRET', publishedMessage);
  if (env.STRIPE_SECRET_KEY && published(env.STRIPE_SECRET_KEY)) refuse('STRIPE_SECRET_KEY', publishedMessage);
  if (env.USAGE_SERVICE_TOKENS.map(serviceTokenOf).some(published)) refuse('USAGE_SERVICE_TOKENS', publishedMessage);
  if (env.ADMIN_TOKENS.some(published)) refuse('ADMIN_TOKENS', publishedMessage);
  if (env.METRICS_TOKENS.some(published)) refuse('METRICS_TOKENS', publishedMessage);
  const password = databasePassword(env.DATABASE_URL);
  if (password === undefined || published(password))
    refuse('DATABASE_URL', "the database password is missing or published in this repository; set the URL's own");
  return issues;
}

function databasePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

export interface Config {
  nodeEnv: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  /** pretty (pino-pretty, for a person at a terminal) or json (one object per line); default: pretty on a TTY. */
  logFormat: 'json' | 'pretty';
  http: {
    host: string;
    port: number;
    publicUrl: string;
    rateLimitPerMinute: number;
    /** Change previews per organization per API instance: a rate of their own and how many may run at once. */
    previews: { perMinute: number; maxInFlight: number };
    /** Browser origins (other than the API's own) allowed to call the API: CORS_ORIGINS. */
    corsOrigins: string[];
    /**
     * What the Node server holds for a client: the headers within `headersTimeoutMs`, the whole request
     * (body included) within `requestTimeoutMs`, an idle keep-alive connection for `keepAliveTimeoutMs`,
     * at most `maxConnections` sockets and `maxHeaderBytes` of request head (src/api/http-server.ts).
     */
    limits: HttpLimits;
  };
  /**
   * `statementTimeoutMs`: the API's pool cancels a statement past it (a 503 to the caller); `workerStatementTimeoutMs`
   * the same for the worker's pool (jobs over whole tables take longer). The CLI and migrations have none.
   */
  database: { url: string; poolMax: number; statementTimeoutMs: number; workerStatementTimeoutMs: number };
  temporal: {
    /** From Temporal's environment configuration: the same for the API, the worker and the CLI. */
    connection: TemporalConnectionSettings;
    /** For logs: where it connects and how, without secrets. */
    summary: TemporalConnectionSummary;
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    /** A bundle from `npm run build:workflows`; unset = the worker bundles at start, in a child process. */
    workflowBundlePath?: string;
    /**
     * Keep stack traces in workflow code (the SDK's per-promise stack capture for the `__stack_trace` query, and
     * stacks on errors thrown in workflows). Off by default: the capture was ~30 % of the workflow thread's CPU.
     */
    workflowStackTraces: boolean;
    /** Runs kept in the worker's sticky cache; unset = the SDK's default, derived from the heap limit. */
    maxCachedWorkflows?: number;
    /** Activity and workflow task slots of the worker; unset = the SDK's defaults (100 and 40). */
    maxConcurrentActivities?: number;
    maxConcurrentWorkflowTasks?: number;
    /**
     * How long a workflow task may wait on this worker's sticky queue before Temporal moves it to the shared queue,
     * where any worker takes it by replaying the run's history; unset = the SDK's default (10 s).
     */
    stickyQueueTimeoutMs?: number;
  };
  stripe: {
    /** Absent key = the local simulator with a fixed test key. */
    secretKey: string;
    apiUrl: string | undefined;
    usesSimulator: boolean;
    livemode: boolean;
    webhookSecrets: string[];
    webhookToleranceSeconds: number;
    /** For Stripe.js in the frontend (GET with each SetupIntent); null with a real key and none configured. */
    publishableKey: string | null;
    testClocks: boolean;
    /** STRIPE_TAX: Stripe Tax (`automatic_tax`) on subscriptions and previews. */
    tax: boolean;
    /** On the simulator: the webhook URL the API registers there (unset: PUBLIC_URL's webhook path). */
    simulatorWebhookUrl: string | undefined;
  };
  auth: {
    jwtSecret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** Tokens living longer than this (exp - iat, or exp - now without iat) are refused. */
    maxLifetimeSeconds: number;
    usageServiceTokens: string[];
    /** Service tokens bound to organizations (`token@org_a|org_b`): the organizations each may name. Unbound tokens are absent. */
    serviceTokenOrganizations: ReadonlyMap<string, readonly string[]>;
    /** Operators of the billing service (admin endpoints), never a customer's org role: ADMIN_TOKENS. */
    adminTokens: string[];
    /** Scrapers allowed the billing figures of /metrics: METRICS_TOKENS (none: /metrics serves no billing figure). */
    metricsTokens: string[];
  };
  /** sendConcurrency: SMTP sends the dispatcher keeps in flight at once (EMAIL_SEND_CONCURRENCY). */
  email: { smtpUrl: string; from: string; sendConcurrency: number };
  shutdownTimeoutMs: number;
  /** How long a scrape's read-model counts are reused (each count runs at most once per this, whatever the scrape rate). */
  metricsCacheMs: number;
  /** The worker's HTTP port: /metrics (its own and the Temporal SDK's), /healthz, /readyz. */
  workerMetricsPort: number;
  /** Loopback port of the Temporal SDK's Prometheus exporter, merged into the worker's /metrics. */
  workerSdkMetricsPort: number;
  /** Which policy durations new subscription workflows start with (src/domain/policy-profiles.ts). */
  policyProfile: PolicyProfile;
  /** What an immediate cancel by the customer gives back: nothing, or the paid period's unused time (credit notes). */
  cancelRefund: CancelRefundPolicy;
  /**
   * Raw usage events older than `rawRetentionDays` are dropped by month; aggregates and the dedupe
   * ledger stay. `commitShards`: ingestion statements in flight at once (group commit by organization).
   */
  usage: { rawRetentionDays: number; overageReportIntervalMs: number; commitShards: number };
  /**
   * Which process runs the webhook relay (inbox → workflow signals): the worker (default; it polls
   * the inbox every `pollIntervalMs`) or the API (nudged by each stored event, polling as a backstop).
   * An organization's events are claimed once the first is `settleMs` old (a burst goes as one signal). An event
   * that failed `maxAttempts` times is dead-lettered (docs/operations.md).
   */
  webhookRelay: { placement: 'worker' | 'api'; pollIntervalMs: number; settleMs: number; maxAttempts: number };
  /** A key left `in_progress` this long (its instance died) is taken over by the same request. */
  idempotency: { inProgressExpirySeconds: number };
  /**
   * What the worker's retention round deletes, in days (docs/operations.md#retention): idempotency keys
   * claimed before the window, webhook inbox events relayed or ignored before it (received), emails sent before it.
   */
  retention: { idempotencyKeysDays: number; webhookInboxDays: number; emailOutboxDays: number };
  /** OpenTelemetry tracing from the standard OTEL_* variables; off unless an OTLP endpoint is set. */
  tracing: TracingConfig;
}

export interface HttpLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxHeaderBytes: number;
}

export const SIMULATOR_SECRET_KEY = 'sk_test_simulator';
export const SIMULATOR_PUBLISHABLE_KEY = 'pk_test_simulator';
export const SIMULATOR_WEBHOOK_SECRET = 'whsec_simulator_local_secret';
const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789';

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // An empty string means "unset": shells and .env files often export VAR= for optional values.
  const env = Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  );
  const parsed = schema.safeParse(env);
  const temporal = temporalConnectionFromEnv(env);
  if (!parsed.success || !temporal.ok) {
    throw new ConfigError([
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(env)'), message: i.message }))),
      ...(temporal.ok ? [] : temporal.issues),
    ]);
  }
  const e = parsed.data;
  const usesSimulator = !e.STRIPE_SECRET_KEY;
  const simUrl = `http://127.0.0.1:${e.STRIPE_SIM_PORT}`;
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (process.stdout.isTTY && e.NODE_ENV !== 'production' ? 'pretty' : 'json'),
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      previews: { perMinute: e.PREVIEW_RATE_LIMIT_PER_MINUTE, maxInFlight: e.PREVIEW_MAX_IN_FLIGHT },
      corsOrigins: e.CORS_ORIGINS.map((o) => o.replace(/\/$/, '')),
      limits: {
        headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: e.HTTP_MAX_CONNECTIONS,
        maxHeaderBytes: e.HTTP_MAX_HEADER_BYTES,
      },
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      workerStatementTimeoutMs: e.WORKER_DATABASE_STATEMENT_TIMEOUT_MS,
    },
    temporal: {
      connection: temporal.connection,
      summary: temporal.summary,
      address: temporal.connection.address,
      namespace: temporal.namespace,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
      workflowStackTraces: e.WORKFLOW_STACK_TRACES ?? false,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      stickyQueueTimeoutMs: e.WORKER_STICKY_QUEUE_TIMEOUT_MS,
    },
    stripe: {
      secretKey: e.STRIPE_SECRET_KEY ?? SIMULATOR_SECRET_KEY,
      apiUrl: e.STRIPE_API_URL ?? (usesSimulator ? simUrl : undefined),
      usesSimulator,
      livemode: Boolean(e.STRIPE_SECRET_KEY?.includes('_live_')),
      webhookSecrets: e.STRIPE_WEBHOOK_SECRET ?? (usesSimulator ? [SIMULATOR_WEBHOOK_SECRET] : []),
      webhookToleranceSeconds: e.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
      publishableKey: e.STRIPE_PUBLISHABLE_KEY ?? (usesSimulator ? SIMULATOR_PUBLISHABLE_KEY : null),
      testClocks: e.STRIPE_TEST_CLOCKS,
      tax: e.STRIPE_TAX,
      simulatorWebhookUrl: e.STRIPE_SIM_WEBHOOK_URL,
    },
    auth: {
      jwtSecret: e.JWT_SECRET ?? (e.JWT_JWKS_URL ? undefined : DEV_JWT_SECRET),
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      maxLifetimeSeconds: e.JWT_MAX_LIFETIME_SECONDS,
      usageServiceTokens: e.USAGE_SERVICE_TOKENS.map(serviceTokenOf),
      serviceTokenOrganizations: new Map(
        e.USAGE_SERVICE_TOKENS.filter((entry) => entry.includes('@')).map((entry) => [
          serviceTokenOf(entry),
          entry.slice(entry.indexOf('@') + 1).split('|'),
        ]),
      ),
      adminTokens: e.ADMIN_TOKENS,
      metricsTokens: e.METRICS_TOKENS,
    },
    email: { smtpUrl: e.SMTP_URL, from: e.EMAIL_FROM, sendConcurrency: e.EMAIL_SEND_CONCURRENCY },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsCacheMs: e.METRICS_CACHE_MS,
    workerMetricsPort: e.WORKER_METRICS_PORT,
    workerSdkMetricsPort: e.WORKER_SDK_METRICS_PORT,
    policyProfile: e.BILLING_POLICY_PROFILE,
    cancelRefund: e.CANCEL_REFUND,
    usage: {
      rawRetentionDays: e.USAGE_RAW_RETENTION_DAYS,
      overageReportIntervalMs: e.OVERAGE_REPORT_INTERVAL_MS,
      commitShards: e.USAGE_COMMIT_SHARDS,
    },
    webhookRelay: {
      placement: e.WEBHOOK_RELAY,
      pollIntervalMs: e.WEBHOOK_RELAY_POLL_MS,
      settleMs: e.WEBHOOK_RELAY_SETTLE_MS,
      maxAttempts: e.WEBHOOK_RELAY_MAX_ATTEMPTS,
    },
    idempotency: { inProgressExpirySeconds: e.IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS },
    retention: {
      idempotencyKeysDays: e.IDEMPOTENCY_KEY_RETENTION_DAYS,
      webhookInboxDays: e.WEBHOOK_INBOX_RETENTION_DAYS,
      emailOutboxDays: e.EMAIL_OUTBOX_RETENTION_DAYS,
    },
    tracing: tracingConfig(e),
  };
}

/** For entry points: load or print the problem and exit non-zero. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
