import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';

/**
 * The Temporal connection from Temporal's own environment configuration (`@temporalio/envconfig`): a
 * profile of the TOML file (`TEMPORAL_CONFIG_FILE`, else `~/.config/temporalio/temporal.toml`; profile
 * `TEMPORAL_PROFILE`, else `default`), overridden by the standard variables (`TEMPORAL_ADDRESS`,
 * `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS*`, `TEMPORAL_GRPC_META_*`). The same for the
 * API, the worker and the CLI. Read only by src/config.ts, with the environment it parses.
 */
export interface TemporalConnectionSettings {
  address: string;
  /** `true`: TLS with the system's roots; an object: a custom CA, server name and/or a client pair (mTLS). */
  tls?: TLSConfig | boolean;
  apiKey?: string;
  /** gRPC headers on every call (`TEMPORAL_GRPC_META_<NAME>` or the profile's `grpc_meta`). */
  metadata?: Record<string, string>;
}

/** What the logs may say about the connection: never the key or a certificate. */
export interface TemporalConnectionSummary {
  address: string;
  namespace: string;
  tls: 'off' | 'tls' | 'mtls';
  apiKey: boolean;
  profile: string;
}

export type TemporalEnvResult =
  | { ok: true; connection: TemporalConnectionSettings; namespace: string; summary: TemporalConnectionSummary }
  | { ok: false; issues: { variable: string; message: string }[] };

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
const ADDRESS = /^(?:[\w.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
const PEM = /-----BEGIN [A-Z0-9 ]+-----/;

const tlsFiles = [
  { key: 'clientCert', env: 'TEMPORAL_TLS_CLIENT_CERT', toml: 'client_cert' },
  { key: 'clientKey', env: 'TEMPORAL_TLS_CLIENT_KEY', toml: 'client_key' },
  { key: 'serverCACert', env: 'TEMPORAL_TLS_SERVER_CA_CERT', toml: 'server_ca_cert' },
] as const;

export function temporalConnectionFromEnv(env: Record<string, string>): TemporalEnvResult {
  const issues: { variable: string; message: string }[] = [];
  const profileName = env.TEMPORAL_PROFILE ?? 'default';
  const fileVar = env.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : `profile ${profileName}`;
  // envconfig treats a missing file as "no file": fine for the default path, a mistake when named explicitly.
  if (env.TEMPORAL_CONFIG_FILE && !readable(env.TEMPORAL_CONFIG_FILE)) {
    return fail('TEMPORAL_CONFIG_FILE', `cannot read ${env.TEMPORAL_CONFIG_FILE}`);
  }
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined) {
    return fail(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
      'not supported by the TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME or TEMPORAL_TLS_SERVER_CA_CERT_PATH instead',
    );
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: env, configFileStrict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/^Profile '.*' not found/.test(message)) return fail('TEMPORAL_PROFILE', message);
    const both = message.match(/^Cannot specify both (\w+)_path and \w+_data/);
    if (both) {
      const file = tlsFiles.find((f) => f.toml === both[1]);
      return fail(file ? `${file.env}_PATH` : fileVar, `${message} (a path or the data, not both)`);
    }
    return fail(fileVar, `Temporal client configuration: ${message}`);
  }

  const address = profile.address ?? DEFAULT_TEMPORAL_ADDRESS;
  if (!ADDRESS.test(address)) issues.push({ variable: 'TEMPORAL_ADDRESS', message: 'must be host:port' });
  const namespace = profile.namespace ?? 'default';
  const tls = profile.tls;
  for (const file of tlsFiles) {
    const source = tls?.[file.key];
    if (!source) continue;
    const variable =
      env[`${file.env}_PATH`] || env[`${file.env}_DATA`]
        ? `${file.env}_${'path' in source ? 'PATH' : 'DATA'}`
        : fileVar;
    const text = 'path' in source ? readText(source.path) : Buffer.from(source.data).toString('utf8');
    if (text === undefined) issues.push({ variable, message: `cannot read ${'path' in source ? source.path : ''}` });
    else if (!PEM.test(text)) issues.push({ variable, message: 'must be PEM (-----BEGIN …-----)' });
  }
  if (Boolean(tls?.clientCert) !== Boolean(tls?.clientKey)) {
    issues.push({
      variable: tls?.clientCert ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH',
      message: 'mTLS needs both the client certificate and its key',
    });
  }
  if (profile.apiKey !== undefined && tls?.disabled) {
    issues.push({ variable: 'TEMPORAL_API_KEY', message: 'an API key is sent only over TLS: unset TEMPORAL_TLS=0' });
  }
  if (issues.length > 0) return { ok: false, issues };

  const { connectionOptions } = toClientOptions(profile);
  const connection: TemporalConnectionSettings = {
    address,
    ...(connectionOptions.tls !== undefined && connectionOptions.tls !== null && { tls: connectionOptions.tls }),
    ...(profile.apiKey !== undefined && { apiKey: profile.apiKey }),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 && { metadata: profile.grpcMeta }),
  };
  const tlsMode = !connection.tls
    ? 'off'
    : typeof connection.tls === 'object' && connection.tls.clientCertPair
      ? 'mtls'
      : 'tls';
  return {
    ok: true,
    connection,
    namespace,
    summary: { address, namespace, tls: tlsMode, apiKey: profile.apiKey !== undefined, profile: profileName },
  };
}

function fail(variable: string, message: string): TemporalEnvResult {
  return { ok: false, issues: [{ variable, message }] };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readable(file: string): boolean {
  return readText(file) !== undefined;
}
