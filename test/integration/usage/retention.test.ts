import { sql } from 'kysely';
import { ingestUsageEvents } from '../../../src/usage/ingest';
import { runUsageMaintenance } from '../../../src/usage/maintenance';
import { createTestDb, type TestDb } from '../../helpers/db';
import { event, recordingNotifier, uniqueOrg, utc } from './support';

describe('raw usage retention', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.destroy();
  });

  const partitions = async () =>
    (
      await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'usage_events'::regclass order by 1`.execute(t.db)
    ).rows.map((r) => r.name);

  it('drops whole monthly partitions past retention, keeping aggregates and the dedupe ledger', async () => {
    const org = uniqueOrg();
    const now = utc('2026-03-10T12:00:00Z');
    await ingestUsageEvents({ db: t.db, now: () => now }, [
      event(org, 'messages', 4, '2026-03-02T00:00:00Z', 'kept-forever'),
    ]);
    const later = utc('2026-07-15T00:00:00Z');
    const result = await runUsageMaintenance(
      { db: t.db, notifier: recordingNotifier() },
      { now: later, rawRetentionDays: 90 },
    );
    expect(result.droppedPartitions).toEqual(['usage_events_y2026m03']);
    expect(await partitions()).toEqual(['usage_events_y2026m07', 'usage_events_y2026m08']);
    const ledger = await t.db
      .selectFrom('usage_event_keys')
      .select('event_id')
      .where('organization_id', '=', org)
      .execute();
    expect(ledger).toEqual([{ event_id: 'kept-forever' }]);
    const again = await ingestUsageEvents({ db: t.db, now: () => utc('2026-03-10T12:00:00Z') }, [
      event(org, 'messages', 4, '2026-03-02T00:00:00Z', 'kept-forever'),
    ]);
    expect(again).toMatchObject({ accepted: 0, duplicates: ['kept-forever'] });
    const totals = await t.db
      .selectFrom('usage_records')
      .select('quantity')
      .where('organization_id', '=', org)
      .execute();
    expect(totals).toEqual([{ quantity: 4 }]);
  });
});
