import { ConfigError, SIMULATOR_SECRET_KEY, loadConfig } from '../../../src/config';

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable);
    throw err;
  }
  return [];
}

describe('configuration from the environment', () => {
  test('defaults give a runnable local configuration on the simulator', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.temporal.taskQueue).toBe('billing');
    expect(config.stripe.usesSimulator).toBe(true);
    expect(config.stripe.secretKey).toBe(SIMULATOR_SECRET_KEY);
    expect(config.stripe.apiUrl).toBe('http://127.0.0.1:12211');
    expect(config.stripe.webhookSecrets).toHaveLength(1);
  });

  test('a real key means Stripe itself unless STRIPE_API_URL says otherwise', () => {
    const config = loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' });
    expect(config.stripe.usesSimulator).toBe(false);
    expect(config.stripe.apiUrl).toBeUndefined();
    expect(config.stripe.webhookSecrets).toEqual(['whsec_a', 'whsec_b']);
    expect(config.stripe.livemode).toBe(false);
    expect(config.stripe.publishableKey).toBeNull();
  });

  test('the publishable key for Stripe.js: the simulator has its own, a real account configures it', () => {
    expect(loadConfig({}).stripe.publishableKey).toBe('pk_test_simulator');
    expect(
      loadConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_xyz' }).stripe.publishableKey,
    ).toBe('pk_test_xyz');
  });

  test.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'nohostport' }],
    ['STRIPE_SECRET_KEY', { STRIPE_SECRET_KEY: 'pk_test_123' }],
    ['STRIPE_WEBHOOK_SECRET', { STRIPE_WEBHOOK_SECRET: 'whsec_ok,notasecret' }],
    ['STRIPE_PUBLISHABLE_KEY', { STRIPE_PUBLISHABLE_KEY: 'sk_test_123' }],
    ['STRIPE_PUBLISHABLE_KEY', { STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_abc' }],
    ['STRIPE_TEST_CLOCKS', { STRIPE_TEST_CLOCKS: 'yes' }],
    ['STRIPE_TEST_CLOCKS', { STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_TEST_CLOCKS: '1' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['JWT_SECRET', { NODE_ENV: 'production' }],
    ['JWT_MAX_LIFETIME_SECONDS', { JWT_MAX_LIFETIME_SECONDS: '10' }],
    ['USAGE_SERVICE_TOKENS', { USAGE_SERVICE_TOKENS: 'tooshort' }],
    ['ADMIN_TOKENS', { ADMIN_TOKENS: 'admin_token_of_only_31_characters'.slice(0, 31) }],
    [
      'ADMIN_TOKENS',
      {
        ADMIN_TOKENS: 'shared_token_0123456789abcdefghijkl',
        USAGE_SERVICE_TOKENS: 'shared_token_0123456789abcdefghijkl',
      },
    ],
    ['SMTP_URL', { SMTP_URL: 'http://mail' }],
  ])('a malformed %s is reported by name', (variable, env) => {
    expect(issuesOf(env)).toContain(variable);
  });

  test('the email dispatcher keeps 8 SMTP sends in flight unless EMAIL_SEND_CONCURRENCY says otherwise (1-64)', () => {
    expect(loadConfig({}).email.sendConcurrency).toBe(8);
    expect(loadConfig({ EMAIL_SEND_CONCURRENCY: '1' }).email.sendConcurrency).toBe(1);
    for (const bad of ['0', '65', '2.5', 'many'])
      expect(issuesOf({ EMAIL_SEND_CONCURRENCY: bad })).toEqual(['EMAIL_SEND_CONCURRENCY']);
  });

  test('the HTTP server bounds slow clients by default; headers may not outlast the request they belong to', () => {
    expect(loadConfig({}).http.limits).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_024,
      maxHeaderBytes: 16_384,
    });
    expect(issuesOf({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toEqual(['HTTP_HEADERS_TIMEOUT_MS']);
    expect(issuesOf({ HTTP_MAX_CONNECTIONS: '0', HTTP_MAX_HEADER_BYTES: '10' })).toEqual([
      'HTTP_MAX_CONNECTIONS',
      'HTTP_MAX_HEADER_BYTES',
    ]);
  });

  test('empty values count as unset', () => {
    expect(loadConfig({ PORT: '', STRIPE_SECRET_KEY: '' }).http.port).toBe(3000);
  });

  test('admin tokens are a separate comma-separated list, empty by default', () => {
    expect(loadConfig({}).auth.adminTokens).toEqual([]);
    const tokens = ['admin_one_0123456789abcdefghijklmnop', 'admin_two_0123456789abcdefghijklmnop'];
    expect(loadConfig({ ADMIN_TOKENS: tokens.join(', ') }).auth.adminTokens).toEqual(tokens);
  });

  test('the webhook relay runs in the worker unless WEBHOOK_RELAY=api', () => {
    expect(loadConfig({}).webhookRelay).toEqual({
      placement: 'worker',
      pollIntervalMs: 250,
      settleMs: 200,
      maxAttempts: 50,
    });
    expect(loadConfig({ WEBHOOK_RELAY: 'api', WEBHOOK_RELAY_POLL_MS: '1000' }).webhookRelay).toEqual({
      placement: 'api',
      pollIntervalMs: 1000,
      settleMs: 200,
      maxAttempts: 50,
    });
    expect(issuesOf({ WEBHOOK_RELAY: 'both' })).toContain('WEBHOOK_RELAY');
    expect(issuesOf({ WEBHOOK_RELAY_POLL_MS: '0' })).toContain('WEBHOOK_RELAY_POLL_MS');
  });

  test('the relay claims an organization’s events once the first is WEBHOOK_RELAY_SETTLE_MS old (0-10000, default 200)', () => {
    expect(loadConfig({ WEBHOOK_RELAY_SETTLE_MS: '0' }).webhookRelay.settleMs).toBe(0);
    expect(loadConfig({ WEBHOOK_RELAY_SETTLE_MS: '750' }).webhookRelay.settleMs).toBe(750);
    for (const bad of ['-1', '10001', '1.5', 'soon'])
      expect(issuesOf({ WEBHOOK_RELAY_SETTLE_MS: bad })).toContain('WEBHOOK_RELAY_SETTLE_MS');
  });

  test('idempotency keys in progress expire after 300 s; retention windows default to 7, 90 and 400 days', () => {
    expect(loadConfig({}).idempotency).toEqual({ inProgressExpirySeconds: 300 });
    expect(loadConfig({}).retention).toEqual({ idempotencyKeysDays: 7, webhookInboxDays: 90, emailOutboxDays: 400 });
    expect(
      loadConfig({
        IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS: '60',
        IDEMPOTENCY_KEY_RETENTION_DAYS: '1',
        WEBHOOK_INBOX_RETENTION_DAYS: '4',
        EMAIL_OUTBOX_RETENTION_DAYS: '30',
      }),
    ).toMatchObject({
      idempotency: { inProgressExpirySeconds: 60 },
      retention: { idempotencyKeysDays: 1, webhookInboxDays: 4, emailOutboxDays: 30 },
    });
    // Fewer than 4 days of inbox would let a redelivery Stripe still makes (three days) count as new.
    for (const [name, bad] of [
      ['IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS', '0'],
      ['IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS', '59'], // would let a repeat take over a request still running
      ['IDEMPOTENCY_KEY_RETENTION_DAYS', '0'],
      ['EMAIL_OUTBOX_RETENTION_DAYS', '29'], // the dedupe keys of emails go with them
      ['WEBHOOK_INBOX_RETENTION_DAYS', '3'],
      ['EMAIL_OUTBOX_RETENTION_DAYS', '1.5'],
      ['EMAIL_OUTBOX_RETENTION_DAYS', 'forever'],
    ] as const)
      expect(issuesOf({ [name]: bad })).toContain(name);
  });

  test('an event the relay failed WEBHOOK_RELAY_MAX_ATTEMPTS times (1-10000, default 50) is dead-lettered', () => {
    expect(loadConfig({ WEBHOOK_RELAY_MAX_ATTEMPTS: '3' }).webhookRelay.maxAttempts).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'many', '10001'])
      expect(issuesOf({ WEBHOOK_RELAY_MAX_ATTEMPTS: bad })).toContain('WEBHOOK_RELAY_MAX_ATTEMPTS');
  });

  test('usage ingestion commits through one group-commit shard unless USAGE_COMMIT_SHARDS says more (1-16)', () => {
    expect(loadConfig({}).usage.commitShards).toBe(1);
    expect(loadConfig({ USAGE_COMMIT_SHARDS: '2' }).usage.commitShards).toBe(2);
    expect(issuesOf({ USAGE_COMMIT_SHARDS: '0' })).toContain('USAGE_COMMIT_SHARDS');
    expect(issuesOf({ USAGE_COMMIT_SHARDS: '17' })).toContain('USAGE_COMMIT_SHARDS');
  });

  test("the worker bundles its workflows itself unless WORKFLOW_BUNDLE_PATH names a .js bundle; the sticky cache size is the SDK's unless set", () => {
    expect(loadConfig({}).temporal).toMatchObject({ workflowBundlePath: undefined, maxCachedWorkflows: undefined });
    expect(
      loadConfig({ WORKFLOW_BUNDLE_PATH: '/srv/workflow-bundle.js', WORKER_MAX_CACHED_WORKFLOWS: '1500' }).temporal,
    ).toMatchObject({ workflowBundlePath: '/srv/workflow-bundle.js', maxCachedWorkflows: 1500 });
    expect(issuesOf({ WORKFLOW_BUNDLE_PATH: '/srv/workflows.ts' })).toContain('WORKFLOW_BUNDLE_PATH');
    expect(issuesOf({ WORKER_MAX_CACHED_WORKFLOWS: '0' })).toContain('WORKER_MAX_CACHED_WORKFLOWS');
    expect(issuesOf({ WORKER_MAX_CACHED_WORKFLOWS: 'many' })).toContain('WORKER_MAX_CACHED_WORKFLOWS');
  });

  test("a workflow task waits on the sticky queue for the SDK's 10 s unless WORKER_STICKY_QUEUE_TIMEOUT_MS says (1 s to 10 min)", () => {
    expect(loadConfig({}).temporal.stickyQueueTimeoutMs).toBeUndefined();
    expect(loadConfig({ WORKER_STICKY_QUEUE_TIMEOUT_MS: '60000' }).temporal.stickyQueueTimeoutMs).toBe(60_000);
    for (const bad of ['999', '600001', '1.5', 'a minute'])
      expect(issuesOf({ WORKER_STICKY_QUEUE_TIMEOUT_MS: bad })).toEqual(['WORKER_STICKY_QUEUE_TIMEOUT_MS']);
  });

  test('stack traces in workflow code are off unless WORKFLOW_STACK_TRACES turns them on; a bad value is an error naming it', () => {
    expect(loadConfig({}).temporal.workflowStackTraces).toBe(false);
    expect(loadConfig({ WORKFLOW_STACK_TRACES: '' }).temporal.workflowStackTraces).toBe(false);
    expect(loadConfig({ WORKFLOW_STACK_TRACES: '0' }).temporal.workflowStackTraces).toBe(false);
    expect(loadConfig({ WORKFLOW_STACK_TRACES: '1' }).temporal.workflowStackTraces).toBe(true);
    expect(loadConfig({ WORKFLOW_STACK_TRACES: 'true' }).temporal.workflowStackTraces).toBe(true);
    expect(issuesOf({ WORKFLOW_STACK_TRACES: 'yes' })).toEqual(['WORKFLOW_STACK_TRACES']);
    expect(() => loadConfig({ WORKFLOW_STACK_TRACES: 'on' })).toThrow(/WORKFLOW_STACK_TRACES/);
  });
});
