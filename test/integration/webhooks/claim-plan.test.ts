import { sql } from 'kysely';
import { claimDueEvents, claimStatement } from '../../../src/webhooks/store';
import { createTestDb, type TestDb } from '../../helpers/db';

jest.setTimeout(60_000);

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.destroy());

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const scansOf = (node: PlanNode): PlanNode[] => [
  ...(node['Relation Name'] ? [node] : []),
  ...(node.Plans ?? []).flatMap(scansOf),
];

/**
 * The relay's claim under the statistics that sent it the wrong way: taken while every row was pending (a fresh
 * inbox filling in a burst), read after most of them were relayed. With an ordered index on every event's
 * `created`, the planner walked it through all 30,000 settled rows on every claim (20-30 ms each, growing with
 * the inbox); the claim must walk the pending events only.
 */
it('claims through the pending index even with statistics taken while every event was pending', async () => {
  const { db } = t;
  await sql`insert into stripe_events (id, type, livemode, stripe_created_at, organization_id, payload, relay_status, next_attempt_at, received_at)
    select 'evt_plan_' || lpad(g::text, 6, '0'), 'invoice.paid', false, to_timestamp(1700000000 + g / 10), 'org_plan_' || (g % 200), '{}'::jsonb,
           'pending', now() - interval '1 minute', now() - interval '1 minute'
    from generate_series(1, 33000) g`.execute(db);
  // The relay leases pending events again and again (a claim, a retry's backoff), so the pending-only indexes hold
  // many entries per event and are larger than an index of every event would be.
  for (let lease = 0; lease < 3; lease++)
    await sql`update stripe_events set next_attempt_at = next_attempt_at - interval '1 second'`.execute(db);
  await sql`vacuum analyze stripe_events`.execute(db);
  await sql`update stripe_events set relay_status = 'relayed', relayed_at = now()
    where id <= 'evt_plan_030000'`.execute(db);

  const opts = { limit: 100, leaseSeconds: 20, settleMs: 0 };
  const { rows } = await sql<{
    'QUERY PLAN': [{ Plan: PlanNode }];
  }>`explain (format json) ${claimStatement(opts)}`.execute(db);
  const scans = scansOf((rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan).filter(
    (node) => node['Relation Name'] === 'stripe_events' && node['Node Type'] !== 'ModifyTable',
  );
  const used = scans.map((node) => `${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
  expect(used).toContain('Index Scan stripe_events_pending_in_order');
  // Nothing walks or reads every event: only the pending-only indexes, the key lookup of the update and the anti join.
  for (const node of scans)
    expect(['stripe_events_pending_in_order', 'stripe_events_pending_by_org', 'stripe_events_pkey']).toContain(
      node['Index Name'],
    );

  const claimed = await claimDueEvents(db, opts);
  expect(claimed.map((e) => e.id)).toEqual(
    Array.from({ length: 100 }, (_, i) => `evt_plan_${String(30_001 + i).padStart(6, '0')}`),
  );
});
