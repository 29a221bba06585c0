import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderOpenApiJson } from '../../../tools/openapi/artifacts';

const ROOT = join(__dirname, '..', '..', '..');

type Json = Record<string, unknown>;
const operationsOf = (doc: Json) =>
  Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('the committed OpenAPI document and typed client', () => {
  const generated = renderOpenApiJson();
  const doc = JSON.parse(generated) as Json;

  test('docs/openapi.json is what the route definitions generate (run `npm run openapi` after changing a route)', () => {
    expect(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')).toBe(generated);
  });

  test('src/client/schema.d.ts is what openapi-typescript makes of it (`npm run openapi -- --check`)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['tools/openapi/main.ts', '--check'], {
      cwd: ROOT,
    });
    expect(stdout).toContain('up to date');
  }, 60_000);

  test('every response of every operation, error envelopes included, carries an example', () => {
    const missing = operationsOf(doc).flatMap(({ name, op }) =>
      Object.entries(op.responses as Record<string, Json>)
        .filter(([, r]) => !(r.content as Record<string, Json> | undefined)?.['application/json']?.example)
        .map(([status]) => `${name} ${status}`),
    );
    expect(missing).toEqual([]);
    expect(operationsOf(doc).length).toBeGreaterThan(20);
  });

  test('status, plan, interval and error codes are enums; timestamps are date-times; usage events are typed', () => {
    const schemas = (doc as { components: { schemas: Record<string, Json> } }).components.schemas;
    expect(schemas.SubscriptionStatus?.enum).toEqual([
      'none',
      'incomplete',
      'trialing',
      'active',
      'past_due',
      'paused',
      'canceled',
    ]);
    expect(schemas.PlanId?.enum).toEqual(['free', 'starter', 'professional', 'enterprise']);
    expect(schemas.BillingInterval?.enum).toEqual(['month', 'year']);
    expect(schemas.ErrorCode?.enum).toContain('CARD_DECLINED');
    const subscription = schemas.Subscription?.properties as Record<string, Json>;
    expect(subscription.status).toEqual({ $ref: '#/components/schemas/SubscriptionStatus' });
    for (const field of ['currentPeriodEnd', 'trialEnd', 'updatedAt', 'dunningNextActionAt'])
      expect(subscription[field]?.format).toBe('date-time');
    expect((schemas.UsageEvent?.properties as Record<string, Json>).metric?.enum).toContain('api_calls');
  });
});
