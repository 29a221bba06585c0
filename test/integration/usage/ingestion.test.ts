import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { commitPlacedEvents } from '../../../src/usage/group-commit';
import { ingestUsageEvents } from '../../../src/usage/ingest';
import { usageEventKey, type PlacedEvent } from '../../../src/usage/batch-totals';
import { createTestDb, type TestDb } from '../../helpers/db';
import { dailyTotals, event, periodTotals, recordingNotifier, subscribe, uniqueOrg, utc } from './support';

describe('usage ingestion (service level, real Postgres)', () => {
  let t: TestDb;
  const now = utc('2026-03-10T12:00:00Z');
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.destroy();
  });
  const ingest = (items: unknown[], notifier = recordingNotifier()) =>
    ingestUsageEvents({ db: t.db, notifier, now: () => now }, items);

  it('counts an event id once across batches and within a batch, and a replayed batch changes nothing', async () => {
    const org = uniqueOrg();
    const a = event(org, 'messages', 5, '2026-03-10T10:00:00Z', 'evt-a');
    const b = event(org, 'messages', 7, '2026-03-10T10:01:00Z', 'evt-b');
    const first = await ingest([a, b, { ...a, quantity: 100 }]);
    expect(first).toEqual({ accepted: 2, duplicates: ['evt-a'], rejected: [] });
    const replay = await ingest([a, b]);
    expect(replay).toEqual({ accepted: 0, duplicates: ['evt-a', 'evt-b'], rejected: [] });
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-01': 12 });
    expect(await dailyTotals(t.db, org)).toEqual({ 'messages@2026-03-10': 12 });
    const raw = await sql<{
      n: number;
    }>`select count(*)::int as n from usage_events where organization_id = ${org}`.execute(t.db);
    expect(raw.rows[0]?.n).toBe(2);
  });

  it('two organizations sending the same event ids both count: in separate batches, in one batch, through group commit', async () => {
    const [a, b] = [uniqueOrg(), uniqueOrg()];
    const ids = ['shared-1', 'shared-2'];
    const of = (org: string) => ids.map((id) => event(org, 'messages', 3, '2026-03-10T10:00:00Z', id));
    expect(await ingest(of(a))).toEqual({ accepted: 2, duplicates: [], rejected: [] });
    expect(await ingest(of(b))).toEqual({ accepted: 2, duplicates: [], rejected: [] });
    const [c, d] = [uniqueOrg(), uniqueOrg()];
    expect(await ingest([...of(c), ...of(d)])).toEqual({ accepted: 4, duplicates: [], rejected: [] });
    const [e, f] = [uniqueOrg(), uniqueOrg()];
    expect(await Promise.all([ingest(of(e)), ingest(of(f))])).toEqual([
      { accepted: 2, duplicates: [], rejected: [] },
      { accepted: 2, duplicates: [], rejected: [] },
    ]);
    for (const org of [a, b, c, d, e, f]) expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-01': 6 });
    // Each organization's own repeat is still a duplicate (listed in id order).
    expect(await ingest([...of(a), ...of(b)])).toEqual({
      accepted: 0,
      duplicates: ['shared-1', 'shared-1', 'shared-2', 'shared-2'],
      rejected: [],
    });
  });

  it('group commit: concurrent batches sharing ids count each id once, and each id is accepted by exactly one of them', async () => {
    const org = uniqueOrg();
    const ids = Array.from({ length: 30 }, (_, i) => `gc-${org}-${i}`);
    // 12 concurrent batches, each with 10 of the 30 ids (overlapping), coalesced into few statements.
    const batches = Array.from({ length: 12 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => event(org, 'messages', 1, '2026-03-10T10:00:00Z', ids[(b * 7 + i) % 30])),
    );
    const results = await Promise.all(batches.map((batch) => ingest(batch)));
    const acceptedTotal = results.reduce((n, r) => n + r.accepted, 0);
    const distinct = new Set(batches.flat().map((e) => e.id));
    expect(acceptedTotal).toBe(distinct.size);
    results.forEach((r, b) => {
      expect(r.rejected).toEqual([]);
      expect(r.accepted + r.duplicates.length).toBe(batches[b]?.length);
    });
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-01': distinct.size });
    const replay = await Promise.all(batches.map((batch) => ingest(batch)));
    expect(replay.every((r) => r.accepted === 0 && r.duplicates.length === 10)).toBe(true);
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-01': distinct.size });
  });

  it('group commit over two shards: batches spanning organizations count each id once, and a replay changes nothing', async () => {
    const orgs = Array.from({ length: 6 }, () => uniqueOrg());
    const ids = Array.from({ length: 24 }, (_, i) => `gc2-${orgs[0]}-${i}`);
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 9 }, (_, i) => {
        const n = (b * 5 + i) % 24;
        return event(orgs[n % 6] as string, 'messages', 1, '2026-03-10T10:00:00Z', ids[n]);
      }),
    );
    const twoShards = (items: unknown[]) =>
      ingestUsageEvents({ db: t.db, notifier: recordingNotifier(), now: () => now, commitShards: 2 }, items);
    const results = await Promise.all(batches.map((batch) => twoShards(batch)));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(new Set(batches.flat().map((e) => e.id)).size);
    const totals = await Promise.all(orgs.map((org) => periodTotals(t.db, org)));
    expect(totals.reduce((n, byPeriod) => n + (byPeriod['messages@2026-03-01'] ?? 0), 0)).toBe(24);
    const replay = await Promise.all(batches.map((batch) => twoShards(batch)));
    expect(replay.every((r) => r.accepted === 0 && r.duplicates.length === 9)).toBe(true);
  });

  it('group commit: a batch whose statement fails alone does not fail the batches it was grouped with', async () => {
    const org = uniqueOrg();
    const placed = (id: string, subscriptionId: string | null): PlacedEvent => ({
      id,
      organizationId: org,
      metric: 'messages',
      quantity: 1,
      occurredAt: utc('2026-03-10T10:00:00Z'),
      periodStart: utc('2026-03-01T00:00:00Z'),
      periodEnd: utc('2026-04-01T00:00:00Z'),
      subscriptionId,
      limit: 1_000,
    });
    // The first goes alone; the next two wait and are grouped; the middle one violates a foreign key.
    const [first, bad, last] = await Promise.allSettled([
      commitPlacedEvents(t.db, [placed(`${org}-1`, null)]),
      commitPlacedEvents(t.db, [placed(`${org}-2`, randomUUID())]),
      commitPlacedEvents(t.db, [placed(`${org}-3`, null)]),
    ]);
    expect(first.status === 'fulfilled' && [...first.value.acceptedKeys]).toEqual([
      usageEventKey({ organizationId: org, id: `${org}-1` }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(last.status === 'fulfilled' && [...last.value.acceptedKeys]).toEqual([
      usageEventKey({ organizationId: org, id: `${org}-3` }),
    ]);
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-01': 2 });
  });

  it('adds counters but keeps the latest reading of a gauge, whatever order readings arrive in', async () => {
    const org = uniqueOrg();
    await ingest([
      event(org, 'api_calls', 10, '2026-03-09T08:00:00Z'),
      event(org, 'api_calls', 15, '2026-03-09T09:00:00Z'),
      event(org, 'storage', 40, '2026-03-09T09:00:00Z'),
      event(org, 'storage', 25, '2026-03-09T08:00:00Z'),
    ]);
    await ingest([
      event(org, 'storage', 30, '2026-03-09T07:00:00Z'),
      event(org, 'storage', 55, '2026-03-10T07:00:00Z'),
    ]);
    expect(await dailyTotals(t.db, org)).toEqual({
      'api_calls@2026-03-09': 25,
      'storage@2026-03-09': 40,
      'storage@2026-03-10': 55,
    });
    expect(await periodTotals(t.db, org)).toEqual({ 'api_calls@2026-03-01': 25, 'storage@2026-03-01': 55 });
  });

  it('files events by their UTC day and billing period whatever offset the producer wrote', async () => {
    const org = uniqueOrg();
    await subscribe(t.db, org, 'starter', { start: '2026-03-05T15:30:00Z', end: '2026-04-05T15:30:00Z' });
    const result = await ingest([
      event(org, 'messages', 1, '2026-03-09T23:30:00-05:00'), // 2026-03-10T04:30Z
      event(org, 'messages', 2, '2026-03-10T00:30:00+02:00'), // 2026-03-09T22:30Z
      event(org, 'messages', 4, '2026-03-05T15:30:00Z'), // the first instant of the period
      event(org, 'messages', 8, '2026-03-05T15:29:59.999Z', 'late-one'), // the last instant of the previous one
    ]);
    expect(result.accepted).toBe(3);
    expect(result.rejected).toEqual([
      { index: 3, id: 'late-one', reason: 'before_current_period', message: expect.any(String) },
    ]);
    expect(await dailyTotals(t.db, org)).toEqual({
      'messages@2026-03-05': 4,
      'messages@2026-03-09': 2,
      'messages@2026-03-10': 1,
    });
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-03-05': 7 });
  });

  it('rejects events too far in the future or past, and invalid ones, with a reason each', async () => {
    const org = uniqueOrg();
    const result = await ingest([
      event(org, 'messages', 1, '2026-03-10T12:06:00Z', 'future'),
      event(org, 'messages', 1, '2026-02-01T00:00:00Z', 'too-old'),
      { id: 'bad-metric', organizationId: org, metric: 'tokens', quantity: 1, timestamp: '2026-03-10T11:00:00Z' },
      event(org, 'messages', 0, '2026-03-10T11:00:00Z', 'zero-counter'),
      'not an object',
      event(org, 'agents', 0, '2026-03-10T11:00:00Z', 'zero-gauge'),
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.id, r.reason])).toEqual([
      [0, 'future', 'timestamp_in_future'],
      [1, 'too-old', 'timestamp_too_old'],
      [2, 'bad-metric', 'invalid_event'],
      [3, 'zero-counter', 'invalid_event'],
      [4, null, 'invalid_event'],
    ]);
  });

  it('rolls events past the projected period end into the next period', async () => {
    const org = uniqueOrg();
    await subscribe(t.db, org, 'professional', { start: '2026-02-10T12:02:00Z', end: '2026-03-10T12:00:00Z' });
    await ingest([
      event(org, 'messages', 3, '2026-03-10T11:59:59Z'),
      event(org, 'messages', 5, '2026-03-10T12:03:00Z'),
    ]);
    expect(await periodTotals(t.db, org)).toEqual({ 'messages@2026-02-10': 3, 'messages@2026-03-10': 5 });
  });

  it('notifies each threshold once per organization, metric and period, never per event', async () => {
    const org = uniqueOrg();
    const notifier = recordingNotifier();
    const batch = (n: number, minute: number) =>
      Array.from({ length: n }, (_, i) =>
        event(
          org,
          'messages',
          10,
          `2026-03-10T10:${String(minute).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
        ),
      );
    await ingest(batch(70, 1), notifier); // 700 of 1,000
    await ingest(batch(15, 2), notifier); // 850: crosses 80 %
    await ingest(batch(5, 3), notifier); // 900
    await ingest(batch(20, 4), notifier); // 1,100: crosses 100 %
    await ingest(batch(20, 5), notifier); // 1,300
    await ingest([event(org, 'agents', 1, '2026-03-10T10:06:00Z')], notifier); // free: 1 of 1 agent
    await ingest([event(org, 'agents', 1, '2026-03-10T10:07:00Z')], notifier);
    expect(notifier.sent.map((n) => [n.data.metric, n.data.thresholdPercent, n.data.used])).toEqual([
      ['messages', 80, 850],
      ['messages', 100, 1_100],
      ['agents', 80, 1],
      ['agents', 100, 1],
    ]);
    expect(notifier.sent[0]).toMatchObject({
      kind: 'usage_threshold',
      dedupeKey: `usage_threshold:${org}:messages:2026-03-01T00:00:00.000Z:80`,
    });
    const alerts = await t.db
      .selectFrom('usage_threshold_alerts')
      .select(['notified_at'])
      .where('organization_id', '=', org)
      .execute();
    expect(alerts).toHaveLength(4);
    expect(alerts.every((a) => a.notified_at !== null)).toBe(true);
  });

  it('never alerts on an unlimited plan', async () => {
    const org = uniqueOrg();
    const notifier = recordingNotifier();
    await subscribe(t.db, org, 'enterprise', { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' });
    await ingest([event(org, 'messages', 5_000_000, '2026-03-10T10:00:00Z')], notifier);
    expect(notifier.sent).toEqual([]);
  });
});
