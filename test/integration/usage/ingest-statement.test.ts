import { sql } from 'kysely';
import { ensureUsagePartitions } from '../../../src/usage/partitions';
import { usageEventKey, type PlacedEvent } from '../../../src/usage/batch-totals';
import { storePlacedEvents } from '../../../src/usage/store';
import { createTestDb, type TestDb } from '../../helpers/db';
import { uniqueOrg, utc } from './support';

/**
 * A batch is stored in one of two ways: all-new ids by one statement (a plain ledger insert), or, when an
 * id was counted before, by a claim of the new ids (ON CONFLICT) and the same statement without its ledger
 * insert for the claimed events. The same events must leave the same rows whichever way stores them.
 */
describe('the usage ingest statement (real Postgres)', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await ensureUsagePartitions(t.db, [utc('2026-03-01T00:00:00Z')]);
  });
  afterAll(async () => {
    await t.destroy();
  });

  // A period boundary in the middle of a UTC day, two days, a gauge's readings tied in time (the larger id wins), limits crossed.
  const march = { periodStart: utc('2026-03-01T00:00:00Z'), periodEnd: utc('2026-03-10T12:00:00Z') };
  const april = { periodStart: utc('2026-03-10T12:00:00Z'), periodEnd: utc('2026-04-10T12:00:00Z') };
  const round = (org: string, n: number): PlacedEvent[] => {
    const at = (iso: string) => utc(iso);
    const e = (
      id: string,
      metric: PlacedEvent['metric'],
      quantity: number,
      occurredAt: number,
      period: typeof march,
      limit: number | null,
    ): PlacedEvent => ({
      id: `${org}-${n}-${id}`,
      organizationId: org,
      metric,
      quantity,
      occurredAt,
      ...period,
      subscriptionId: null,
      limit,
    });
    return [
      e('m1', 'messages', 3, at('2026-03-09T10:00:00Z'), march, 10),
      e('m2', 'messages', 4, at('2026-03-10T11:00:00Z'), march, 10),
      e('m3', 'messages', 2, at('2026-03-10T13:00:00Z'), april, 10),
      e('m4', 'messages', 1, at('2026-03-10T14:00:00Z'), april, 10),
      e('s1', 'storage', 70, at('2026-03-10T09:00:00Z'), march, 100),
      e('s3', 'storage', 85, at('2026-03-10T10:00:00Z'), march, 100),
      e('s2', 'storage', 95, at('2026-03-10T10:00:00Z'), march, 100),
      e('a1', 'api_calls', 7, at('2026-03-10T15:00:00Z'), april, null),
      e('a2', 'api_calls', 1, at('2026-03-10T15:00:00Z'), april, null),
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
  };

  const rowsOf = async (org: string) => ({
    daily: (
      await sql<{
        metric: string;
        day: string;
        quantity: number;
      }>`select metric, day, quantity, last_event_at from usage_daily where organization_id = ${org} order by 1, 2`.execute(
        t.db,
      )
    ).rows,
    period: (
      await sql<{
        metric_type: string;
        quantity: number;
      }>`select metric_type, period_start, period_end, quantity, last_event_at from usage_records where organization_id = ${org} order by 1, 2`.execute(
        t.db,
      )
    ).rows,
    alerts: (
      await sql<{
        metric: string;
        threshold_percent: number;
      }>`select metric, period_start, period_end, threshold_percent, limit_value, used from usage_threshold_alerts where organization_id = ${org} order by 1, 2, 4`.execute(
        t.db,
      )
    ).rows,
    raw: (
      await sql`select substr(event_id, length(organization_id) + 2) as id, metric, quantity, occurred_at, period_start from usage_events where organization_id = ${org} order by 1`.execute(
        t.db,
      )
    ).rows,
  });
  const withoutOrg = (crossed: Awaited<ReturnType<typeof storePlacedEvents>>['crossed']) =>
    crossed.map(({ organization_id: _, ...rest }) => rest);

  it('leaves the same aggregates, alerts and raw rows whether every id is new or some were counted before (claimed first)', async () => {
    const [allNew, withCounted, other] = [uniqueOrg(), uniqueOrg(), uniqueOrg()];
    for (const n of [1, 2]) {
      // Ids the second organization's statement also carries, already counted (for another organization).
      const counted = [`${other}-${n}-x`, `${other}-${n}-y`].map((id) => ({
        ...(round(other, n)[0] as PlacedEvent),
        id,
      }));
      await storePlacedEvents(t.db, counted);
      const a = await storePlacedEvents(t.db, round(allNew, n));
      const b = await storePlacedEvents(
        t.db,
        [...round(withCounted, n), ...counted].sort((x, y) => (x.id < y.id ? -1 : 1)),
      );
      expect(a.acceptedKeys).toEqual(round(allNew, n).map(usageEventKey));
      expect(b.acceptedKeys).toEqual(round(withCounted, n).map(usageEventKey));
      expect(withoutOrg(b.crossed)).toEqual(withoutOrg(a.crossed));
      expect(await rowsOf(withCounted)).toEqual(await rowsOf(allNew));
    }
    const { daily, period, alerts } = await rowsOf(allNew);
    expect(daily.map((r) => [r.metric, r.day, r.quantity])).toEqual([
      ['api_calls', '2026-03-10', 16],
      ['messages', '2026-03-09', 6],
      ['messages', '2026-03-10', 14],
      ['storage', '2026-03-10', 85],
    ]);
    expect(period.map((r) => [r.metric_type, r.quantity])).toEqual([
      ['api_calls', 16],
      ['messages', 14],
      ['messages', 6],
      ['storage', 85],
    ]);
    expect(alerts.map((r) => [r.metric, r.threshold_percent])).toEqual([
      ['messages', 80],
      ['messages', 100],
      ['storage', 80],
    ]);
  });
});
