import { z } from 'zod';

/**
 * OpenTelemetry's standard variables (the subset the service honours), parsed by src/config.ts. Tracing is off
 * unless an OTLP endpoint is set; `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again.
 */
export interface TracingConfig {
  enabled: boolean;
  /** The OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  tracesUrl: string | undefined;
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME; unset = each process's own name (billing-api, billing-worker). */
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  sampler: { name: (typeof SAMPLERS)[number]; ratio: number };
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before export. */
  batchDelayMs: number;
}

const SAMPLERS = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;

/** `key1=value1,key2=value2`, values percent-encoded (the W3C Baggage format the spec names for both lists). */
const keyValueList = z.string().transform((text, ctx) => {
  const out: Record<string, string> = {};
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=');
    if (at <= 0) {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not key=value` });
      return z.NEVER;
    }
    try {
      out[decodeURIComponent(item.slice(0, at).trim())] = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not percent-encoded correctly` });
      return z.NEVER;
    }
  }
  return out;
});

export const otelSchema = {
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { message: 'only otlp (or none) is supported' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL' }).optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL' }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/json'], { message: 'the service exports OTLP over HTTP with JSON: set http/json or leave it unset' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z
    .enum(['http/json'], { message: 'the service exports OTLP over HTTP with JSON: set http/json or leave it unset' })
    .optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList.optional(),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList.optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(10).max(60_000).default(5_000),
};

type OtelEnv = z.infer<z.ZodObject<typeof otelSchema>>;

export function tracingConfig(e: OtelEnv): TracingConfig {
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  return {
    enabled: tracesUrl !== undefined && e.OTEL_SDK_DISABLED !== 'true' && e.OTEL_TRACES_EXPORTER !== 'none',
    tracesUrl,
    headers: { ...e.OTEL_EXPORTER_OTLP_HEADERS, ...e.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    serviceName: e.OTEL_SERVICE_NAME,
    resourceAttributes: e.OTEL_RESOURCE_ATTRIBUTES ?? {},
    sampler: { name: e.OTEL_TRACES_SAMPLER, ratio: e.OTEL_TRACES_SAMPLER_ARG ?? 1 },
    batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
  };
}
