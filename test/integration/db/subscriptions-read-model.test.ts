import { sql } from 'kysely';
import type { SubscriptionProjection } from '../../../src/activities/types';
import { migrateDown, migrateToLatest } from '../../../src/db/migrator';
import { migrations } from '../../../src/db/migrations';
import { projectSubscription } from '../../../src/db/read-models/subscriptions';
import { createTestDb, withSchemaDdlLock, type TestDb } from '../../helpers/db';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

let n = 0;
function projection(): Omit<SubscriptionProjection, 'stateVersion'> {
  const org = `org-rm-${Date.now().toString(36)}-${n++}`;
  return {
    organizationId: org,
    workflowId: `subscription:${org}`,
    stripeCustomerId: 'cus_x',
    stripeSubscriptionId: `sub_${org}`,
    plan: 'starter',
    status: 'active',
    currency: 'usd',
    unitAmount: 2900,
    currentPeriodStart: Date.now(),
    currentPeriodEnd: Date.now() + 1e9,
    cancelAtPeriodEnd: false,
    pendingPlan: null,
    trialEnd: null,
    defaultPaymentMethodId: null,
    dunningAttempt: 0,
    graceEndsAt: null,
    canceledAt: null,
    endedAt: null,
  };
}

const stored = (stripeSubscriptionId: string) =>
  t.db
    .selectFrom('subscriptions')
    .select(['plan', 'state_version', 'history_length'])
    .where('stripe_subscription_id', '=', stripeSubscriptionId)
    .executeTakeFirstOrThrow();

describe('the subscription projection is ordered by the pair (state version, history length)', () => {
  test.each([
    ['an older state version with a longer history', { stateVersion: 4, historyLength: 900 }, false],
    ['the same state version with a shorter history', { stateVersion: 5, historyLength: 9 }, false],
    ['the same pair again', { stateVersion: 5, historyLength: 10 }, false],
    ['the same state version with a longer history (a retried task)', { stateVersion: 5, historyLength: 11 }, true],
    ['a newer state version with a shorter history', { stateVersion: 6, historyLength: 1 }, true],
  ])('after (5, 10), %s: applied = %s', async (_name, order, applied) => {
    const base = projection();
    expect(await projectSubscription(t.db, { ...base, stateVersion: 5, historyLength: 10 })).toEqual({ applied: true });
    expect(await projectSubscription(t.db, { ...base, ...order, plan: 'professional' })).toEqual({ applied });
    expect(await stored(base.stripeSubscriptionId)).toEqual(
      applied
        ? { plan: 'professional', state_version: order.stateVersion, history_length: order.historyLength }
        : { plan: 'starter', state_version: 5, history_length: 10 },
    );
  });

  test('an input recorded before historyLength existed is decoded and compared as a pair', async () => {
    const base = projection();
    expect(await projectSubscription(t.db, { ...base, stateVersion: 3 * 2 ** 20 + 40 })).toEqual({ applied: true });
    expect(await stored(base.stripeSubscriptionId)).toMatchObject({ state_version: 3, history_length: 40 });
    expect(
      await projectSubscription(t.db, { ...base, stateVersion: 3, historyLength: 39, plan: 'professional' }),
    ).toEqual({ applied: false });
    expect(await projectSubscription(t.db, { ...base, stateVersion: 3 * 2 ** 20 + 41, plan: 'professional' })).toEqual({
      applied: true,
    });
    expect(await stored(base.stripeSubscriptionId)).toEqual({
      plan: 'professional',
      state_version: 3,
      history_length: 41,
    });
    expect(await projectSubscription(t.db, { ...base, stateVersion: 2, plan: 'starter' })).toEqual({ applied: false });
  });
});

/** Down to just before the history-length migration, however many migrations came after it. */
const HISTORY_LENGTH_MIGRATION = '2026-12-04T0001-subscriptions-history-length';
const stepsBelowHistoryLength = () =>
  Object.keys(migrations).length - Object.keys(migrations).indexOf(HISTORY_LENGTH_MIGRATION);

test('the history-length migration decodes combined orders on the way up and combines them again on the way down', async () => {
  const plain = projection();
  const combined = projection();
  await withSchemaDdlLock('shared', () => migrateDown(t.db, { schema: t.schema, steps: stepsBelowHistoryLength() }));
  for (const [p, order] of [
    [plain, 7],
    [combined, 9 * 2 ** 20 + 123],
  ] as const) {
    await sql`insert into subscriptions (organization_id, workflow_id, stripe_subscription_id, plan, status, state_version)
      values (${p.organizationId}, ${p.workflowId}, ${p.stripeSubscriptionId}, 'starter', 'active', ${order})`.execute(
      t.db,
    );
  }
  await withSchemaDdlLock('shared', () => migrateToLatest(t.db, t.schema));
  expect(await stored(plain.stripeSubscriptionId)).toMatchObject({ state_version: 7, history_length: 0 });
  expect(await stored(combined.stripeSubscriptionId)).toMatchObject({ state_version: 9, history_length: 123 });

  await withSchemaDdlLock('shared', () => migrateDown(t.db, { schema: t.schema, steps: stepsBelowHistoryLength() }));
  const down = await sql<{
    stripe_subscription_id: string;
    state_version: number;
  }>`select stripe_subscription_id, state_version from subscriptions
    where stripe_subscription_id in (${plain.stripeSubscriptionId}, ${combined.stripeSubscriptionId}) order by state_version`.execute(
    t.db,
  );
  expect(down.rows).toEqual([
    { stripe_subscription_id: plain.stripeSubscriptionId, state_version: 7 },
    { stripe_subscription_id: combined.stripeSubscriptionId, state_version: 9 * 2 ** 20 + 123 },
  ]);
  await withSchemaDdlLock('shared', () => migrateToLatest(t.db, t.schema));
});
