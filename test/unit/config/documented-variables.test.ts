import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Every variable the service's schemas parse (src/config.ts and the OTEL_* schema beside it). */
function parsedVariables(): string[] {
  const names = new Set<string>();
  for (const file of ['src/config.ts', 'src/telemetry/otel-env.ts']) {
    for (const [, name] of read(file).matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):\s/gm)) if (name) names.add(name);
  }
  return [...names].sort();
}

/** Temporal's standard variables, read through @temporalio/envconfig (src/temporal-env.ts). */
const TEMPORAL_VARIABLES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_PROFILE',
];

describe('every variable the service reads is documented', () => {
  const variables = [...parsedVariables(), ...TEMPORAL_VARIABLES];

  test('the schemas were found (the scan itself works)', () => {
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']));
  });

  test.each(['docs/configuration.md', '.env.example'])('in %s', (file) => {
    const text = read(file);
    expect(variables.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });
});
