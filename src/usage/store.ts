import { sql, type Insertable, type Selectable } from 'kysely';
import { preparedQuery, type Db, type PreparedStatement } from '../db/database';
import type { UsageOverageReportsTable } from '../db/schema';
import { GAUGE_METRICS, type UsageMetric } from '../domain/usage';
import type { UsagePeriod } from '../domain/usage-periods';
import type { Terms } from '../domain/pricing';
import type { Contract } from '../domain/contract';
import { arrayLiteral, byLedgerKey, quoted, storeParameters, usageEventKey, type PlacedEvent } from './batch-totals';
import type { PauseBehavior } from '../domain/pause';

/*
 * Every SQL statement of the usage feature. The Kysely builder first; raw SQL only where the builder
 * cannot say it, each with its reason.
 */

// ---------------------------------------------------------------------------------------------------
// Ingestion: the dedupe ledger, the raw events, the aggregates and the threshold alerts.

export interface CrossedThreshold {
  organization_id: string;
  metric: UsageMetric;
  period_start: string;
  period_end: string;
  threshold_percent: 80 | 100;
  limit_value: number;
  used: number;
}

const GAUGES = arrayLiteral(GAUGE_METRICS.map(quoted));

/**
 * The ingest statement, generated for both of its uses: `withLedger` also takes the events' ids into
 * the dedupe ledger with a plain insert (its unique key, organization and id, checked once per event in the
 * same descent as the insert; an id its organization counted before fails the whole statement), else the caller claimed them just before in
 * the same transaction. The raw rows are the events as given ($1-$6); the per-day ($7-$11) and per-period
 * ($12-$19) totals are the batch folded in JavaScript (src/usage/batch-totals.ts, the one place the
 * sum-or-latest-reading rule is written); here they merge into the stored aggregates: counters add,
 * gauges keep the reading with the latest time. Rows are fed in key order so concurrent batches lock
 * aggregate rows in the same order. Counter crossings compare the total before this batch (after −
 * batch total, exact under the row lock) with the one after; gauges record any reading at or over a
 * threshold; the alert table's key makes each threshold once per organization, metric and period.
 * Instants become timestamptz exactly ('epoch' + ms × 1 ms stays an integer number of microseconds).
 * Raw SQL: data-modifying CTEs over unnest() of array parameters, as one named prepared statement.
 */
function ingestStatement(withLedger: boolean): PreparedStatement {
  return {
    name: withLedger ? 'usage_ingest_new_ids_v5' : 'usage_ingest_claimed_v1',
    text: `
    with ${
      withLedger
        ? `ledger as (
      insert into usage_event_keys (event_id, organization_id)
      select event_id, organization_id from unnest($1::text[], $2::text[]) as t(event_id, organization_id) order by organization_id, event_id
    ),
    `
        : ''
    }raw as (
      insert into usage_events (event_id, organization_id, metric, quantity, occurred_at, period_start)
      select event_id, organization_id, metric, quantity,
        'epoch'::timestamptz + occurred_ms * interval '1 millisecond', 'epoch'::timestamptz + period_start_ms * interval '1 millisecond'
      from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
        as t(event_id, organization_id, metric, quantity, occurred_ms, period_start_ms)
    ),
    batch as (
      select organization_id, metric, 'epoch'::timestamptz + period_start_ms * interval '1 millisecond' as period_start,
        'epoch'::timestamptz + period_end_ms * interval '1 millisecond' as period_end, subscription_id, limit_value, quantity,
        'epoch'::timestamptz + last_ms * interval '1 millisecond' as last_event_at, metric = any($20::text[]) as is_gauge
      from unnest($12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::uuid[], $17::bigint[], $18::bigint[], $19::bigint[])
        as t(organization_id, metric, period_start_ms, period_end_ms, subscription_id, limit_value, quantity, last_ms)
    ),
    daily as (
      insert into usage_daily as d (organization_id, metric, day, quantity, last_event_at)
      select organization_id, metric, date '1970-01-01' + day, quantity, 'epoch'::timestamptz + last_ms * interval '1 millisecond'
      from unnest($7::text[], $8::text[], $9::int[], $10::bigint[], $11::bigint[]) as t(organization_id, metric, day, quantity, last_ms)
      order by 1, 2, 3
      on conflict (organization_id, metric, day) do update set
        quantity = case
          when excluded.metric = any($20::text[])
            then case when excluded.last_event_at >= d.last_event_at then excluded.quantity else d.quantity end
          else d.quantity + excluded.quantity end,
        last_event_at = greatest(d.last_event_at, excluded.last_event_at),
        updated_at = now()
    ),
    period as (
      insert into usage_records as r (organization_id, subscription_id, metric_type, quantity, period_start, period_end, last_event_at)
      select organization_id, subscription_id, metric, quantity, period_start, period_end, last_event_at
      from batch order by organization_id, metric, period_start
      on conflict (organization_id, metric_type, period_start) do update set
        quantity = case
          when excluded.metric_type = any($20::text[])
            then case when excluded.last_event_at >= coalesce(r.last_event_at, '-infinity') then excluded.quantity else r.quantity end
          else r.quantity + excluded.quantity end,
        last_event_at = greatest(r.last_event_at, excluded.last_event_at),
        subscription_id = coalesce(r.subscription_id, excluded.subscription_id),
        updated_at = now()
      returning organization_id, metric_type, period_start, quantity
    ),
    crossed as (
      insert into usage_threshold_alerts (organization_id, metric, period_start, period_end, threshold_percent, limit_value, used)
      select p.organization_id, p.metric_type, p.period_start, b.period_end, t.pct, b.limit_value, p.quantity
      from period p
      join batch b on b.organization_id = p.organization_id and b.metric = p.metric_type and b.period_start = p.period_start
      cross join (values (80), (100)) as t(pct)
      where b.limit_value > 0 and p.quantity * 100 >= b.limit_value * t.pct
        and (b.is_gauge or (p.quantity - b.quantity) * 100 < b.limit_value * t.pct)
      order by 1, 2, 3, 5
      on conflict do nothing
      returning organization_id, metric, period_start, period_end, threshold_percent, limit_value, used
    )
    select coalesce((select json_agg(crossed) from crossed), '[]') as crossed`,
  };
}

const NEW_IDS = ingestStatement(true);
const CLAIMED = ingestStatement(false);

const isLedgerConflict = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  (err as { code?: unknown }).code === '23505' &&
  (err as { constraint?: unknown }).constraint === 'usage_event_keys_pkey';

async function runIngest(
  db: Db,
  statement: PreparedStatement,
  events: readonly PlacedEvent[],
): Promise<CrossedThreshold[]> {
  const row = (
    await preparedQuery<{ crossed: CrossedThreshold[] }>(db, statement, [...storeParameters(events), GAUGES])
  )[0];
  if (!row) throw new Error('usage statement returned no row');
  return row.crossed;
}

/** Claims the ids their organization did not count before (in ledger order, so concurrent claims lock in one order), then stores those events. */
async function claimAndStore(
  trx: Db,
  events: readonly PlacedEvent[],
): Promise<{ acceptedKeys: string[]; crossed: CrossedThreshold[] }> {
  const claimed = await trx
    .insertInto('usage_event_keys')
    .values([...events].sort(byLedgerKey).map((e) => ({ event_id: e.id, organization_id: e.organizationId })))
    .onConflict((oc) => oc.columns(['organization_id', 'event_id']).doNothing())
    .returning(['organization_id', 'event_id'])
    .execute();
  const keys = new Set(claimed.map((r) => usageEventKey({ organizationId: r.organization_id, id: r.event_id })));
  const accepted = events.filter((e) => keys.has(usageEventKey(e)));
  return {
    acceptedKeys: accepted.map(usageEventKey),
    crossed: accepted.length === 0 ? [] : await runIngest(trx, CLAIMED, accepted),
  };
}

/**
 * Stores a batch (distinct per organization) and answers which events it claimed (their usageEventKey)
 * and which thresholds it crossed. De-duplication is per organization: an id another organization
 * used counts. Optimistically one statement for all-new ids, as they nearly always are; an id counted before makes it
 * fail as a whole (unique violation, nothing kept), and the batch is then stored in one transaction:
 * its new ids claimed (ON CONFLICT DO NOTHING), then the same statement for those events without its
 * ledger insert. Inside a caller's transaction, where a failed statement would abort it, the claim runs
 * at once.
 */
export async function storePlacedEvents(
  db: Db,
  events: readonly PlacedEvent[],
): Promise<{ acceptedKeys: string[]; crossed: CrossedThreshold[] }> {
  if (db.isTransaction) return claimAndStore(db, events);
  try {
    return { acceptedKeys: events.map(usageEventKey), crossed: await runIngest(db, NEW_IDS, events) };
  } catch (err) {
    if (!isLedgerConflict(err)) throw err;
  }
  return db.transaction().execute((trx) => claimAndStore(trx, events));
}

// ---------------------------------------------------------------------------------------------------
// Monthly partitions of the raw events.

/** Creates the partitions of usage_events for these months (UTC starts and ends) if missing. */
export async function createUsagePartitions(
  db: Db,
  months: readonly { name: string; start: number; end: number }[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Raw SQL: an advisory lock and DDL; concurrent creators serialize, as CREATE TABLE IF NOT EXISTS alone can still collide in the catalog.
    await sql`select pg_advisory_xact_lock(hashtext('usage_events_partitions'))`.execute(trx);
    for (const { name, start, end } of months) {
      await sql`create table if not exists ${sql.id(name)} partition of usage_events
        for values from (${sql.lit(new Date(start).toISOString())}) to (${sql.lit(new Date(end).toISOString())})`.execute(
        trx,
      );
    }
  });
}

/** The names of usage_events' partitions. Raw SQL: a catalog query (pg_inherits), outside the schema types. */
export async function usagePartitionNames(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'usage_events'::regclass`.execute(db);
  return rows.map((r) => r.name);
}

/** Raw SQL: DDL. */
export async function dropUsagePartition(db: Db, name: string): Promise<void> {
  await sql`drop table if exists ${sql.id(name)}`.execute(db);
}

// ---------------------------------------------------------------------------------------------------
// Reads: organization contexts, used amounts, history.

export interface LiveSubscriptionRow {
  id: string;
  organization_id: string;
  plan: string;
  status: string;
  current_period_start: Date | null;
  current_period_end: Date | null;
  terms: Terms | null;
  pause: { behavior: PauseBehavior } | null;
  contract: Pick<Contract, 'limits'> | null;
}

// Raw SQL: a named prepared statement. Ingestion and entitlement checks reload contexts every second per
// organization; preparing spares Postgres the parse and plan each time (the unique live-subscription index serves it).
const LIVE_SUBSCRIPTIONS: PreparedStatement = {
  name: 'usage_live_subscriptions_v4',
  text: `select id, organization_id, plan, status, current_period_start, current_period_end, terms, pause, contract
    from subscriptions
    where organization_id = any($1::text[]) and ended_at is null`,
};

/** The live subscription of each organization (at most one by a unique index). */
export async function liveSubscriptions(db: Db, organizationIds: readonly string[]): Promise<LiveSubscriptionRow[]> {
  return organizationIds.length === 0
    ? []
    : preparedQuery<LiveSubscriptionRow>(db, LIVE_SUBSCRIPTIONS, [organizationIds]);
}

// Raw SQL: a named prepared statement (DISTINCT ON as well). Entitlement checks load this for every snapshot
// (each organization once a second), so Postgres parses and plans it once per connection.
const USED: PreparedStatement = {
  name: 'usage_used_amounts_v1',
  text: `select distinct on (metric_type) metric_type, quantity from usage_records
    where organization_id = $1
      and (metric_type = any($2::text[]) or period_start = $3::timestamptz)
      and ($4::text is null or metric_type = $4::text)
    order by metric_type, last_event_at desc nulls last`,
};

/**
 * What counts as "used" now: a counter's total in the current period; a gauge's latest reading
 * (a level carries over from period to period).
 */
export async function loadUsed(
  db: Db,
  organizationId: string,
  period: UsagePeriod,
  metric?: UsageMetric,
): Promise<Map<UsageMetric, number>> {
  const rows = await preparedQuery<{ metric_type: UsageMetric; quantity: number }>(db, USED, [
    organizationId,
    GAUGE_METRICS,
    new Date(period.start).toISOString(),
    metric ?? null,
  ]);
  return new Map(rows.map((r) => [r.metric_type, Number(r.quantity)]));
}

export interface UsagePoint {
  /** 'YYYY-MM-DD' (day) or 'YYYY-MM' (month), UTC. */
  period: string;
  metric: UsageMetric;
  /** Counters: the sum. Gauges: the last reading of the day or month. */
  quantity: number;
}

/**
 * Usage per day or month between two UTC days (inclusive), from the daily aggregates only: the raw
 * events are never scanned, so the cost depends on the range, not on traffic. Raw SQL: an ordered
 * aggregate (array_agg … order by) picks a gauge's last reading.
 */
export async function usageHistory(
  db: Db,
  organizationId: string,
  range: { startDate: string; endDate: string; granularity: 'day' | 'month' },
): Promise<UsagePoint[]> {
  const bucket = range.granularity === 'day' ? sql`to_char(day, 'YYYY-MM-DD')` : sql`to_char(day, 'YYYY-MM')`;
  const { rows } = await sql<{ period: string; metric: UsageMetric; quantity: string | number }>`
    select ${bucket} as period, metric,
      case when metric = any(${GAUGE_METRICS as readonly string[]}::text[])
        then (array_agg(quantity order by day desc))[1] else sum(quantity) end as quantity
    from usage_daily
    where organization_id = ${organizationId} and day between ${range.startDate}::date and ${range.endDate}::date
    group by 1, 2 order by 1, 2`.execute(db);
  return rows.map((r) => ({ period: r.period, metric: r.metric, quantity: Number(r.quantity) }));
}

// ---------------------------------------------------------------------------------------------------
// Consume (check and record atomically), inside the caller's transaction.

/** Whether the organization counted the event id before. */
export async function isCounted(trx: Db, organizationId: string, eventId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('usage_event_keys')
    .select('event_id')
    .where('organization_id', '=', organizationId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The period's counter row, created at 0 if missing and locked (FOR UPDATE) until the transaction ends; its quantity. */
export async function lockPeriodCounter(
  trx: Db,
  key: { organizationId: string; metric: UsageMetric; period: UsagePeriod },
  subscriptionId: string | null,
): Promise<number> {
  const where = {
    organization_id: key.organizationId,
    metric_type: key.metric,
    period_start: new Date(key.period.start),
  };
  await trx
    .insertInto('usage_records')
    .values({ ...where, subscription_id: subscriptionId, quantity: 0, period_end: new Date(key.period.end) })
    .onConflict((oc) => oc.columns(['organization_id', 'metric_type', 'period_start']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('usage_records')
    .select('quantity')
    .where('organization_id', '=', where.organization_id)
    .where('metric_type', '=', where.metric_type)
    .where('period_start', '=', where.period_start)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return row.quantity;
}

// ---------------------------------------------------------------------------------------------------
// Threshold alerts.

type AlertKey = Pick<CrossedThreshold, 'organization_id' | 'metric' | 'period_start' | 'threshold_percent'>;

export async function markAlertNotified(db: Db, alert: AlertKey): Promise<void> {
  await db
    .updateTable('usage_threshold_alerts')
    .set({ notified_at: new Date() })
    .where('organization_id', '=', alert.organization_id)
    .where('metric', '=', alert.metric)
    .where('period_start', '=', new Date(alert.period_start))
    .where('threshold_percent', '=', alert.threshold_percent)
    .execute();
}

/** Alerts whose notification did not go out, oldest first. */
export async function unnotifiedAlerts(db: Db, limit: number): Promise<CrossedThreshold[]> {
  const pending = await db
    .selectFrom('usage_threshold_alerts')
    .select(['organization_id', 'metric', 'period_start', 'period_end', 'threshold_percent', 'limit_value', 'used'])
    .where('notified_at', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return pending.map((p) => ({
    ...p,
    metric: p.metric as CrossedThreshold['metric'],
    threshold_percent: p.threshold_percent as CrossedThreshold['threshold_percent'],
    period_start: p.period_start.toISOString(),
    period_end: p.period_end.toISOString(),
  }));
}

// ---------------------------------------------------------------------------------------------------
// Overage reports to Stripe billing meters.

export type OverageReportRow = Selectable<UsageOverageReportsTable>;
type OverageKey = { organizationId: string; metric: UsageMetric; periodStart: number };

/** A counter's total over the period's aggregate rows. */
export async function periodTotal(
  db: Db,
  organizationId: string,
  metric: UsageMetric,
  period: UsagePeriod,
): Promise<number> {
  const row = await db
    .selectFrom('usage_records')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('total'))
    .where('organization_id', '=', organizationId)
    .where('metric_type', '=', metric)
    .where('period_start', '>=', new Date(period.start))
    .where('period_start', '<', new Date(period.end))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

const overageReport = (db: Db, key: OverageKey) =>
  db
    .selectFrom('usage_overage_reports')
    .selectAll()
    .where('organization_id', '=', key.organizationId)
    .where('metric', '=', key.metric)
    .where('period_start', '=', new Date(key.periodStart));

export const findOverageReport = (db: Db, key: OverageKey): Promise<OverageReportRow | undefined> =>
  overageReport(db, key).executeTakeFirst();
export const getOverageReport = (db: Db, key: OverageKey): Promise<OverageReportRow> =>
  overageReport(db, key).executeTakeFirstOrThrow();

/** Confirms the pending total `identifier` was sent; a concurrent reporter that got there first makes it a no-op. */
export async function confirmOverageSent(db: Db, key: OverageKey, identifier: string): Promise<void> {
  await db
    .updateTable('usage_overage_reports')
    .set((eb) => ({ reported_at: new Date(), reported_blocks: eb.ref('blocks') }))
    .where('organization_id', '=', key.organizationId)
    .where('metric', '=', key.metric)
    .where('period_start', '=', new Date(key.periodStart))
    .where('identifier', '=', identifier)
    .where('reported_at', 'is', null)
    .execute();
}

/** Sets a larger cumulative total pending on a row whose previous one was sent. */
export async function raisePendingOverage(
  db: Db,
  key: OverageKey,
  next: { blocks: number; overUnits: number; identifier: string; plan: string },
): Promise<void> {
  await db
    .updateTable('usage_overage_reports')
    .set({
      blocks: next.blocks,
      over_units: next.overUnits,
      identifier: next.identifier,
      reported_at: null,
      plan: next.plan,
    })
    .where('organization_id', '=', key.organizationId)
    .where('metric', '=', key.metric)
    .where('period_start', '=', new Date(key.periodStart))
    .where('reported_at', 'is not', null)
    .where('blocks', '<', next.blocks)
    .execute();
}

export async function stripeCustomerIdOf(db: Db, organizationId: string): Promise<string | undefined> {
  return (
    await db
      .selectFrom('billing_customers')
      .select('stripe_customer_id')
      .where('organization_id', '=', organizationId)
      .executeTakeFirst()
  )?.stripe_customer_id;
}

/** The period's first pending total; a concurrent insert that got there first wins. */
export async function insertPendingOverage(db: Db, row: Insertable<UsageOverageReportsTable>): Promise<void> {
  await db
    .insertInto('usage_overage_reports')
    .values(row)
    .onConflict((oc) => oc.columns(['organization_id', 'metric', 'period_start']).doNothing())
    .execute();
}

/** Per live subscription on one of `plans` and metric: the current period's total and the blocks reported so far. */
export async function currentOverageTotals(db: Db, plans: readonly string[]) {
  return (
    db
      .selectFrom('subscriptions as s')
      .innerJoin('usage_records as r', (join) =>
        join
          .onRef('r.organization_id', '=', 's.organization_id')
          .onRef('r.period_start', '>=', 's.current_period_start')
          .onRef('r.period_start', '<', 's.current_period_end'),
      )
      .leftJoin('usage_overage_reports as o', (join) =>
        join
          .onRef('o.organization_id', '=', 's.organization_id')
          .onRef('o.metric', '=', 'r.metric_type')
          .onRef('o.period_start', '=', 's.current_period_start'),
      )
      .select(['s.organization_id', 's.plan', 'r.metric_type'])
      // sql``: coalesce of a nullable column into a typed number.
      .select((eb) => [
        eb.fn.sum<number>('r.quantity').as('total'),
        eb.fn.max(sql<number>`coalesce(o.reported_blocks, 0)`).as('reported'),
      ])
      .where('s.ended_at', 'is', null)
      .where('s.status', 'in', ['trialing', 'active', 'past_due'])
      .where('s.plan', 'in', plans)
      .groupBy(['s.organization_id', 's.plan', 'r.metric_type'])
      .execute()
  );
}

export async function pendingOverageReports(db: Db) {
  return db
    .selectFrom('usage_overage_reports')
    .select(['organization_id', 'plan', 'period_start', 'period_end'])
    .where('reported_at', 'is', null)
    .execute();
}
