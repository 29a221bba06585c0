import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The dedupe ledger: one narrow row per event id ever accepted. It is never pruned by raw-event
  // retention, so an event id counts once forever even after its payload is gone.
  await sql`create table usage_event_keys (
    event_id text primary key,
    organization_id text not null,
    received_at timestamptz not null default now()
  )`.execute(db);

  // Raw events, partitioned by the month they occurred in: inserts touch one small recent partition
  // and retention drops whole partitions instead of deleting rows. Partitions are created on demand
  // (src/usage/partitions.ts). No secondary indexes: reads are served by the aggregates.
  await sql`create table usage_events (
    event_id text not null,
    organization_id text not null,
    metric text not null,
    quantity bigint not null,
    occurred_at timestamptz not null,
    period_start timestamptz not null,
    received_at timestamptz not null default now()
  ) partition by range (occurred_at)`.execute(db);

  // Gauges keep the latest reading of the period; the reading's time decides which one is latest.
  await sql`alter table usage_records add column last_event_at timestamptz`.execute(db);

  await sql`create table usage_threshold_alerts (
    organization_id text not null,
    metric text not null,
    period_start timestamptz not null,
    period_end timestamptz not null,
    threshold_percent integer not null check (threshold_percent in (80, 100)),
    limit_value bigint not null,
    used bigint not null,
    notified_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (organization_id, metric, period_start, threshold_percent)
  )`.execute(db);
  await sql`create index usage_threshold_alerts_unnotified on usage_threshold_alerts (created_at) where notified_at is null`.execute(
    db,
  );

  await sql`create table usage_overage_reports (
    organization_id text not null,
    metric text not null,
    period_start timestamptz not null,
    period_end timestamptz not null,
    plan text not null,
    over_units bigint not null,
    blocks bigint not null,
    meter_event_name text not null,
    identifier text not null unique,
    stripe_customer_id text not null,
    reported_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (organization_id, metric, period_start)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists usage_overage_reports`.execute(db);
  await sql`drop table if exists usage_threshold_alerts`.execute(db);
  await sql`alter table usage_records drop column if exists last_event_at`.execute(db);
  await sql`drop table if exists usage_events`.execute(db);
  await sql`drop table if exists usage_event_keys`.execute(db);
}
