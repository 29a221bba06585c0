import { ConfigError, loadConfig } from '../../../src/config';

function issues(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable);
    throw err;
  }
  return [];
}

describe('tracing from the standard OTEL_* variables', () => {
  test('off by default: no endpoint, no export', () => {
    expect(loadConfig({}).tracing).toMatchObject({ enabled: false, tracesUrl: undefined });
  });

  test('an OTLP endpoint turns it on, exporting to its /v1/traces with the headers given', () => {
    const { tracing } = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, x-team=billing',
      OTEL_SERVICE_NAME: 'billing-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.version=1.2.3',
    });
    expect(tracing).toMatchObject({
      enabled: true,
      tracesUrl: 'https://otel.example.com:4318/v1/traces',
      headers: { 'x-api-key': 'abc==', 'x-team': 'billing' },
      serviceName: 'billing-eu',
      resourceAttributes: { 'deployment.environment': 'prod', 'service.version': '1.2.3' },
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      batchDelayMs: 5000,
    });
  });

  test('the traces endpoint, when set, is used as is; its headers win over the general ones', () => {
    const { tracing } = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=2',
    });
    expect(tracing).toMatchObject({ tracesUrl: 'http://traces:4318/custom', headers: { a: '2' } });
  });

  test.each([{ OTEL_SDK_DISABLED: 'true' }, { OTEL_TRACES_EXPORTER: 'none' }])('%o turns it off again', (env) => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', ...env }).tracing.enabled).toBe(false);
  });

  test('a sampling ratio', () => {
    const { sampler } = loadConfig({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    }).tracing;
    expect(sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 0.1 });
  });

  test.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }],
    ['OTEL_EXPORTER_OTLP_HEADERS', { OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign' }],
    ['OTEL_TRACES_EXPORTER', { OTEL_TRACES_EXPORTER: 'zipkin' }],
    ['OTEL_TRACES_SAMPLER', { OTEL_TRACES_SAMPLER: 'sometimes' }],
    ['OTEL_TRACES_SAMPLER_ARG', { OTEL_TRACES_SAMPLER_ARG: '2' }],
    ['OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'yes' }],
  ])('%s: a value the service cannot honour is refused at start by name', (variable, env) => {
    expect(issues(env)).toContain(variable);
  });
});
