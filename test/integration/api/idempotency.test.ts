import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { WORKER_SERVICES } from '../../../src/runtime/worker-runtime';
import { pruneExpiredRows, retention } from '../../../src/runtime/services';
import { buildTestAppDeps, startTestApp, type RunningApp } from '../../helpers/app';
import { createTestDb, type TestDb } from '../../helpers/db';
import { userToken } from '../../helpers/tokens';

// The Idempotency-Key's life: the Temporal update id it becomes, a key its instance abandoned in progress,
// and the retention of keys, settled webhook events and sent emails.

let t: TestDb;
let app: RunningApp;
/** The update ids the API sent, through a Temporal client that records them and answers at once. */
const updates: string[] = [];
const recordingTemporal = {
  workflow: {
    getHandle: () => ({
      executeUpdate: async (_update: unknown, options: { updateId: string }) => {
        updates.push(options.updateId);
        return {};
      },
    }),
  },
} as unknown as Client;

beforeAll(async () => {
  t = await createTestDb();
  app = await startTestApp(
    buildTestAppDeps({ db: t.db, temporal: recordingTemporal, env: { IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS: '60' } }),
  );
});
afterAll(async () => {
  await app.close();
  await t.destroy();
});
beforeEach(() => {
  updates.length = 0;
});

async function send(method: string, path: string, key: string, org: string) {
  const res = await fetch(`${app.url}/api/v1/billing${path}`, {
    method,
    headers: { authorization: `Bearer ${await userToken({ org })}`, 'idempotency-key': key },
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as unknown };
}
const keyRow = (org: string, key: string) =>
  t.db.selectFrom('api_idempotency_keys').selectAll().where('organization_id', '=', org).where('key', '=', key);

test('the Temporal update id is the key scoped by the operation, so one key reused for another operation names another update', async () => {
  const org = `org_${randomUUID().slice(0, 8)}`;
  const key = `key-${randomUUID()}`;
  // Each time, the stored answer is gone (retention) before the client reuses the key for another operation.
  const forget = () => t.db.deleteFrom('api_idempotency_keys').where('organization_id', '=', org).execute();
  expect((await send('POST', '/subscription/resume', key, org)).status).toBe(200);
  await forget();
  expect((await send('DELETE', '/subscription', key, org)).status).toBe(200);
  await forget();
  expect((await send('DELETE', '/subscription/add-ons/agents_5', key, org)).status).toBe(200);

  expect(updates).toEqual([
    `post:/subscription/resume:${key}`,
    `delete:/subscription:${key}`,
    `delete:/subscription/add-ons/agents_5:${key}`,
  ]);
});

test('a request without a key gets a fresh update id, scoped the same way', async () => {
  const res = await fetch(`${app.url}/api/v1/billing/subscription/resume`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await userToken({ org: 'org_nokey' })}` },
  });
  expect(res.status).toBe(200);
  expect(updates).toEqual([expect.stringMatching(/^post:\/subscription\/resume:auto-[0-9a-f-]{36}$/)]);
});

test('a key left in progress by a crashed instance is taken over after IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS, not answered 409 forever', async () => {
  const org = `org_${randomUUID().slice(0, 8)}`;
  const key = `key-${randomUUID()}`;
  expect((await send('POST', '/subscription/resume', key, org)).status).toBe(200);
  // The instance that claimed it "crashed" before storing an answer: the row stays in progress.
  const abandon = (ageSeconds: number) =>
    t.db
      .updateTable('api_idempotency_keys')
      .set({
        state: 'in_progress',
        response_status: null,
        response_body: null,
        completed_at: null,
        created_at: sql<Date>`now() - make_interval(secs => ${ageSeconds})`,
      })
      .where('organization_id', '=', org)
      .where('key', '=', key)
      .execute();

  await abandon(30);
  const fresh = await send('POST', '/subscription/resume', key, org);
  expect(fresh).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });

  await abandon(61);
  const retried = await send('POST', '/subscription/resume', key, org);
  expect(retried).toMatchObject({ status: 200, replayed: null });
  expect(await keyRow(org, key).executeTakeFirstOrThrow()).toMatchObject({ state: 'completed', response_status: 200 });
  // The same update id both times: the workflow returns the first attempt's outcome if it got that far.
  expect(updates).toEqual([`post:/subscription/resume:${key}`, `post:/subscription/resume:${key}`]);

  // Another request with the abandoned key is still a conflict, however old the claim.
  await abandon(3600);
  expect((await send('DELETE', '/subscription', key, org)).status).toBe(409);
});

test('retention deletes idempotency keys, settled webhook events and sent emails past their windows, and nothing else', async () => {
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
  const org = `org_${randomUUID().slice(0, 8)}`;
  await t.db
    .insertInto('api_idempotency_keys')
    .values(
      [8, 6].map((days) => ({
        organization_id: org,
        key: `retained-${days}`,
        request_fingerprint: 'f',
        created_at: daysAgo(days),
      })),
    )
    .execute();
  const event = (id: string, status: 'relayed' | 'ignored' | 'pending' | 'dead_lettered', days: number) => ({
    id,
    type: 'invoice.paid',
    livemode: false,
    stripe_created_at: daysAgo(days),
    payload: '{}',
    relay_status: status,
  });
  await t.db
    .insertInto('stripe_events')
    .values([
      event('evt_old_relayed', 'relayed', 91),
      event('evt_old_ignored', 'ignored', 91),
      event('evt_old_pending', 'pending', 91),
      event('evt_old_dead', 'dead_lettered', 91),
      event('evt_recent_relayed', 'relayed', 89),
    ])
    .execute();
  const email = (key: string, status: 'sent' | 'failed', days: number) => ({
    dedupe_key: key,
    organization_id: org,
    kind: 'invoice_issued',
    to_address: 'billing@example.com',
    subject: 's',
    text_body: 't',
    status,
    created_at: daysAgo(days),
  });
  await t.db
    .insertInto('email_outbox')
    .values([email('old-sent', 'sent', 401), email('old-failed', 'failed', 401), email('recent-sent', 'sent', 399)])
    .execute();

  const pruned = await pruneExpiredRows(t.db, { idempotencyKeysDays: 7, webhookInboxDays: 90, emailOutboxDays: 400 });

  expect(pruned).toEqual({ idempotencyKeys: 1, webhookEvents: 2, sentEmails: 1 });
  expect(
    (await t.db.selectFrom('api_idempotency_keys').select('key').where('organization_id', '=', org).execute()).map(
      (r) => r.key,
    ),
  ).toEqual(['retained-6']);
  expect((await t.db.selectFrom('stripe_events').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([
    'evt_old_dead',
    'evt_old_pending',
    'evt_recent_relayed',
  ]);
  expect(
    (await t.db.selectFrom('email_outbox').select('dedupe_key').orderBy('dedupe_key').execute()).map(
      (r) => r.dedupe_key,
    ),
  ).toEqual(['old-failed', 'recent-sent']);
  expect(await pruneExpiredRows(t.db, { idempotencyKeysDays: 7, webhookInboxDays: 90, emailOutboxDays: 400 })).toEqual({
    idempotencyKeys: 0,
    webhookEvents: 0,
    sentEmails: 0,
  });
});

test('the worker runs retention as one of its services, a first round at start', async () => {
  expect(WORKER_SERVICES).toContain('retention');
  const org = `org_${randomUUID().slice(0, 8)}`;
  await t.db
    .insertInto('api_idempotency_keys')
    .values({ organization_id: org, key: 'stale-key', request_fingerprint: 'f', created_at: new Date(0) })
    .execute();
  const service = retention({
    db: t.db,
    logger: pino({ level: 'silent' }),
    windows: { idempotencyKeysDays: 7, webhookInboxDays: 90, emailOutboxDays: 400 },
  });
  service.start();
  try {
    for (let i = 0; i < 100 && (await keyRow(org, 'stale-key').executeTakeFirst()); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await keyRow(org, 'stale-key').executeTakeFirst()).toBeUndefined();
  } finally {
    await service.stop();
  }
});
