import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../context';
import { healthzExample, readinessDownExample, readinessExample } from '../examples';

const CHECK_TIMEOUT_MS = 2_000;

const ReadySchema = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() })),
  })
  .openapi('Readiness');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['operations'],
  summary: 'The process is up',
  responses: {
    200: {
      description: 'Up',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }), example: healthzExample } },
    },
  },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['operations'],
  summary: 'Postgres and Temporal are reachable',
  responses: {
    200: {
      description: 'Every dependency answers',
      content: { 'application/json': { schema: ReadySchema, example: readinessExample } },
    },
    503: {
      description: 'At least one dependency is down; `checks` says which',
      content: { 'application/json': { schema: ReadySchema, example: readinessDownExample } },
    },
  },
});

function withTimeout(check: () => Promise<void>): Promise<void> {
  return Promise.race([
    check(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

export const healthRoutes = new OpenAPIHono<AppEnv>()
  .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
  .openapi(readyz, async (c) => {
    const entries = await Promise.all(
      Object.entries(c.get('deps').readiness).map(async ([name, check]) => {
        const started = performance.now();
        try {
          await withTimeout(check);
          return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
        } catch (err) {
          const error = err instanceof Error ? (err.message.split('\n')[0] ?? 'unreachable') : 'unreachable';
          return [name, { ok: false, error, ms: Math.round(performance.now() - started) }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, r]) => r.ok);
    return c.json({ status: ok ? ('ready' as const) : ('unavailable' as const), checks }, ok ? 200 : 503);
  });
