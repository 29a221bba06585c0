import { UsageError, type CliDeps } from '../../../src/cli/command';
import { redriveEventsCommand } from '../../../src/cli/commands/redrive-events';
import { loadConfig } from '../../../src/config';
import { createTestDb, type TestDb } from '../../helpers/db';
import { unreachableTemporal } from './harness';

let t: TestDb;
let lines: string[];
let deps: CliDeps;
beforeAll(async () => {
  t = await createTestDb();
});
beforeEach(() => {
  lines = [];
  deps = {
    config: loadConfig({ NODE_ENV: 'test' }),
    db: t.db,
    temporal: unreachableTemporal(1),
    out: (l) => lines.push(l),
    progress: () => undefined,
  };
});
afterAll(() => t.destroy());

const stored = (id: string, created: string, type: string, status: 'relayed' | 'ignored' | 'dead_lettered') => ({
  id,
  type,
  api_version: null,
  livemode: false,
  stripe_created_at: created,
  object_id: 'in_1',
  organization_id: 'org_1',
  payload: '{}',
  relay_status: status,
  relay_attempts: 3,
  relayed_at: new Date(),
  last_error: status === 'ignored' ? 'ignored: no live workflow for the organization' : null,
  dead_lettered_at: status === 'dead_lettered' ? new Date() : null,
});

test('redrive-events makes events of the range (and type) pending again and says how many', async () => {
  await t.db
    .insertInto('stripe_events')
    .values([
      stored('evt_before', '2026-11-01T00:00:00Z', 'invoice.paid', 'relayed'),
      stored('evt_in_paid', '2026-11-10T00:00:00Z', 'invoice.paid', 'ignored'),
      stored('evt_in_other', '2026-11-11T00:00:00Z', 'customer.subscription.updated', 'relayed'),
      stored('evt_at_end', '2026-11-20T00:00:00Z', 'invoice.paid', 'relayed'),
    ])
    .execute();

  await redriveEventsCommand.run(
    ['--from', '2026-11-05T00:00:00Z', '--to', '2026-11-20T00:00:00Z', '--type', 'invoice.paid'],
    deps,
  );

  const rows = await t.db
    .selectFrom('stripe_events')
    .select(['id', 'relay_status', 'relay_attempts', 'last_error'])
    .orderBy('id')
    .execute();
  expect(rows).toEqual([
    { id: 'evt_at_end', relay_status: 'relayed', relay_attempts: 3, last_error: null },
    { id: 'evt_before', relay_status: 'relayed', relay_attempts: 3, last_error: null },
    { id: 'evt_in_other', relay_status: 'relayed', relay_attempts: 3, last_error: null },
    { id: 'evt_in_paid', relay_status: 'pending', relay_attempts: 0, last_error: null },
  ]);
  expect(lines.join('\n')).toMatch(/re-queued 1 stored event/);
});

test('redrive-events --dead-lettered makes only the events the relay gave up on pending again', async () => {
  await t.db
    .insertInto('stripe_events')
    .values([
      stored('evt_dl_relayed', '2026-10-10T00:00:00Z', 'invoice.paid', 'relayed'),
      stored('evt_dl_parked', '2026-10-11T00:00:00Z', 'invoice.paid', 'dead_lettered'),
    ])
    .execute();

  await redriveEventsCommand.run(
    ['--from', '2026-10-01T00:00:00Z', '--to', '2026-10-31T00:00:00Z', '--dead-lettered'],
    deps,
  );

  const rows = await t.db
    .selectFrom('stripe_events')
    .select(['id', 'relay_status', 'relay_attempts', 'dead_lettered_at'])
    .where('id', 'like', 'evt_dl_%')
    .orderBy('id')
    .execute();
  expect(rows).toEqual([
    { id: 'evt_dl_parked', relay_status: 'pending', relay_attempts: 0, dead_lettered_at: null },
    { id: 'evt_dl_relayed', relay_status: 'relayed', relay_attempts: 3, dead_lettered_at: null },
  ]);
  expect(lines.join('\n')).toMatch(/re-queued 1 stored dead-lettered event/);
});

test.each([
  [['--from', '2026-11-20T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], /--to: must be after --from/],
  [['--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z', '--dead-lettered', 'yes'], /yes/],
  [['--from', 'yesterday', '--to', '2026-11-01T00:00:00Z'], /--from/],
  [['--from', '2026-11-01T00:00:00Z'], /--to/],
  [['--from', '2026-11-01T00:00:00Z', '--to', '2026-11-02T00:00:00Z', '--type', 'DROP TABLE'], /--type/],
])('redrive-events %j is refused with a usage error naming the flag', async (argv, message) => {
  await expect(redriveEventsCommand.run(argv, deps)).rejects.toThrow(UsageError);
  await expect(redriveEventsCommand.run(argv, deps)).rejects.toThrow(message);
});
