import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config';
import { temporalConnectionFromEnv } from '../../../src/temporal-env';

const PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIBfake\n-----END PRIVATE KEY-----\n';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'billing-temporal-env-'));
  writeFileSync(path.join(dir, 'client.pem'), PEM_CERT);
  writeFileSync(path.join(dir, 'client.key'), PEM_KEY);
  writeFileSync(path.join(dir, 'ca.pem'), PEM_CERT);
  writeFileSync(path.join(dir, 'not-pem.txt'), 'hello');
  writeFileSync(
    path.join(dir, 'temporal.toml'),
    [
      '[profile.default]',
      'address = "localhost:7233"',
      '',
      '[profile.prod]',
      'address = "billing.a1b2c.tmprl.cloud:7233"',
      'namespace = "billing.a1b2c"',
      '[profile.prod.tls]',
      `client_cert_path = "${path.join(dir, 'client.pem')}"`,
      `client_key_path = "${path.join(dir, 'client.key')}"`,
      '[profile.prod.grpc_meta]',
      'x-team = "billing"',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'typo.toml'), '[profile.default]\nadress = "x:1"\n');
  writeFileSync(path.join(dir, 'broken.toml'), '[profile.default\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function issues(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('the Temporal connection from Temporal’s environment configuration', () => {
  test('without any setting: the local dev server, namespace default, no TLS', () => {
    const config = loadConfig({});
    expect(config.temporal.connection).toEqual({ address: '127.0.0.1:7233' });
    expect(config.temporal.namespace).toBe('default');
    expect(config.temporal.summary).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      tls: 'off',
      apiKey: false,
      profile: 'default',
    });
  });

  test('Temporal Cloud with an API key: TLS on by itself, the key never in the summary', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'billing.a1b2c',
      TEMPORAL_API_KEY: 'secret-api-key',
    });
    expect(config.temporal.connection).toEqual({
      address: 'us-east-1.aws.api.temporal.io:7233',
      tls: true,
      apiKey: 'secret-api-key',
    });
    expect(config.temporal.namespace).toBe('billing.a1b2c');
    expect(config.temporal.summary).toMatchObject({ tls: 'tls', apiKey: true });
    expect(JSON.stringify(config.temporal.summary)).not.toContain('secret-api-key');
  });

  test('mTLS from certificate and key files, with a private CA and a server name', () => {
    const { connection, summary } = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    }).temporal;
    expect(connection.tls).toEqual({
      serverNameOverride: 'frontend.temporal.internal',
      serverRootCACertificate: Buffer.from(PEM_CERT),
      clientCertPair: { crt: Buffer.from(PEM_CERT), key: Buffer.from(PEM_KEY) },
    });
    expect(summary.tls).toBe('mtls');
  });

  test('certificates given as data (a secret store’s variables) work like files', () => {
    const { connection } = loadConfig({
      TEMPORAL_TLS_CLIENT_CERT_DATA: PEM_CERT,
      TEMPORAL_TLS_CLIENT_KEY_DATA: PEM_KEY,
    }).temporal;
    expect(connection.tls).toMatchObject({ clientCertPair: { crt: Buffer.from(PEM_CERT) } });
  });

  test('TEMPORAL_TLS=1 alone: TLS with the system’s root certificates', () => {
    expect(loadConfig({ TEMPORAL_TLS: '1' }).temporal.connection.tls).toEqual({});
    expect(loadConfig({ TEMPORAL_TLS: 'false' }).temporal.connection.tls).toBe(false);
  });

  test('a profile of the TOML file, chosen by TEMPORAL_PROFILE, with gRPC metadata', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'), TEMPORAL_PROFILE: 'prod' });
    expect(config.temporal.connection).toMatchObject({
      address: 'billing.a1b2c.tmprl.cloud:7233',
      metadata: { 'x-team': 'billing' },
      tls: { clientCertPair: { crt: Buffer.from(PEM_CERT), key: Buffer.from(PEM_KEY) } },
    });
    expect(config.temporal.namespace).toBe('billing.a1b2c');
    expect(config.temporal.summary).toMatchObject({ tls: 'mtls', profile: 'prod' });
  });

  test('variables override the profile; TEMPORAL_GRPC_META_* adds headers', () => {
    const { connection } = loadConfig({
      TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml'),
      TEMPORAL_ADDRESS: 'override.example:7233',
      TEMPORAL_GRPC_META_X_TENANT: 'acme',
    }).temporal;
    expect(connection).toEqual({ address: 'override.example:7233', metadata: { 'x-tenant': 'acme' } });
  });

  test('the default file is $XDG_CONFIG_HOME/temporalio/temporal.toml (else ~/.config/…), as the Temporal CLI’s', () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.config/temporalio'), { recursive: true });
    writeFileSync(path.join(home, '.config/temporalio/temporal.toml'), '[profile.default]\nnamespace = "from-home"\n');
    expect(loadConfig({ HOME: home }).temporal.namespace).toBe('from-home');
  });

  test.each<[string, Record<string, string>, string, RegExp]>([
    ['a malformed address', { TEMPORAL_ADDRESS: 'nohostport' }, 'TEMPORAL_ADDRESS', /host:port/],
    ['a profile that does not exist', { TEMPORAL_PROFILE: 'staging' }, 'TEMPORAL_PROFILE', /staging/],
    [
      'a named file that is missing',
      { TEMPORAL_CONFIG_FILE: '/nonexistent/t.toml' },
      'TEMPORAL_CONFIG_FILE',
      /cannot read/,
    ],
    ['a file that is not TOML', { TEMPORAL_CONFIG_FILE: 'broken.toml' }, 'TEMPORAL_CONFIG_FILE', /configuration/],
    ['a misspelt key in the file', { TEMPORAL_CONFIG_FILE: 'typo.toml' }, 'TEMPORAL_CONFIG_FILE', /adress/],
    ['TEMPORAL_TLS that is not a flag', { TEMPORAL_TLS: 'yes' }, 'TEMPORAL_TLS', /./],
    [
      'a certificate without its key',
      { TEMPORAL_TLS_CLIENT_CERT_PATH: 'client.pem' },
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
      /both/,
    ],
    [
      'a key without its certificate',
      { TEMPORAL_TLS_CLIENT_KEY_DATA: PEM_KEY },
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      /both/,
    ],
    [
      'a certificate file that is missing',
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'nope.pem' },
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      /cannot read/,
    ],
    [
      'a certificate that is not PEM',
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'not-pem.txt' },
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      /PEM/,
    ],
    [
      'a path and data for one certificate',
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'ca.pem', TEMPORAL_TLS_SERVER_CA_CERT_DATA: PEM_CERT },
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      /not both/,
    ],
    ['an API key over plaintext', { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: '0' }, 'TEMPORAL_API_KEY', /only over TLS/],
    [
      'host verification off (the TypeScript SDK cannot)',
      { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: '1' },
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      /not supported/,
    ],
  ])('%s is refused at start by name', (_, env, variable, message) => {
    const withPaths = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, /_PATH$|_FILE$/.test(k) && !v.startsWith('/') ? path.join(dir, v) : v]),
    );
    const found = issues(withPaths);
    expect(found).toEqual(expect.arrayContaining([{ variable, message: expect.stringMatching(message) }]));
  });

  test('every problem is reported at once, the other variables’ with them', () => {
    const found = issues({ PORT: 'abc', TEMPORAL_ADDRESS: 'nohostport' }).map((i) => i.variable);
    expect(found).toEqual(expect.arrayContaining(['PORT', 'TEMPORAL_ADDRESS']));
  });

  test('the parser reads only the environment it is handed (never process.env)', () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = 'from-process-env:1';
    try {
      const result = temporalConnectionFromEnv({});
      expect(result.ok && result.connection.address).toBe('127.0.0.1:7233');
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
  });
});
