import type { Client } from '@temporalio/client';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { userToken } from '../../helpers/tokens';

/**
 * A Temporal client standing in for the workflow: previews wait until released (each stands for a workflow
 * update and Stripe calls in flight); a change answers at once.
 */
function fakeTemporal() {
  const waiting: (() => void)[] = [];
  const client = {
    workflow: {
      getHandle: () => ({
        executeUpdate: (update: { name: string }) =>
          update.name.toLowerCase().includes('preview')
            ? new Promise((resolve) => waiting.push(() => resolve({ plan: 'starter' })))
            : Promise.resolve({ change: 'upgraded' }),
      }),
    },
  } as unknown as Client;
  return { client, releaseAll: () => waiting.splice(0).forEach((w) => w()), waiting: () => waiting.length };
}

let t: TestDb;
let app: RunningApp;
let temporal: ReturnType<typeof fakeTemporal>;
let member: string;
let owner: string;
const org = 'org_preview_limits';

beforeAll(async () => {
  t = await createTestDb();
  temporal = fakeTemporal();
  app = await startTestApp(
    buildTestAppDeps({
      db: t.db,
      temporal: temporal.client,
      env: { PREVIEW_RATE_LIMIT_PER_MINUTE: '3', PREVIEW_MAX_IN_FLIGHT: '2', RATE_LIMIT_PER_MINUTE: '600' },
    }),
  );
  member = `Bearer ${await userToken({ org, role: 'member' })}`;
  owner = `Bearer ${await userToken({ org })}`;
});
afterAll(async () => {
  temporal?.releaseAll();
  await app?.close();
  await t?.destroy();
});

const preview = () =>
  fetch(`${app.url}/api/v1/billing/subscription/preview`, {
    method: 'POST',
    headers: { authorization: member, 'content-type': 'application/json' },
    body: JSON.stringify({ planId: 'professional' }),
  });
const change = (key: string) =>
  fetch(`${app.url}/api/v1/billing/subscription`, {
    method: 'PATCH',
    headers: { authorization: owner, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ planId: 'professional' }),
  });

test("a member's previews have their own budget per organization: in flight, then per minute; the owner's changes go on", async () => {
  const running = [preview(), preview()];
  await new Promise((r) => setTimeout(r, 200));
  expect(temporal.waiting()).toBe(2);
  const third = await preview();
  expect(third.status).toBe(429);
  expect(third.headers.get('retry-after')).toBe('1');
  expect(((await third.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMIT');
  // The owner's change is not crowded out by the previews in flight.
  expect((await change('change-while-previews-0001')).status).toBe(200);
  temporal.releaseAll();
  expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200]);

  // Three per minute: the third slot is left; the one after is refused with a Retry-After of seconds.
  const next = preview();
  await new Promise((r) => setTimeout(r, 100));
  temporal.releaseAll();
  expect((await next).status).toBe(200);
  const over = await preview();
  expect(over.status).toBe(429);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(1);
  expect((await change('change-after-previews-0001')).status).toBe(200);
});
