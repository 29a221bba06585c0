import { Kysely, sql } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one to the index instead.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('billing_customers')
    .addColumn('organization_id', 'text', (c) => c.primaryKey())
    .addColumn('stripe_customer_id', 'text', (c) => c.notNull().unique())
    .addColumn('stripe_test_clock_id', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('stripe_customer_id', 'text')
    .addColumn('stripe_subscription_id', 'text', (c) => c.unique())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull().defaultTo('usd'))
    .addColumn('unit_amount', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('current_period_start', 'timestamptz')
    .addColumn('current_period_end', 'timestamptz')
    .addColumn('cancel_at_period_end', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('pending_plan', 'text')
    .addColumn('trial_end', 'timestamptz')
    .addColumn('default_payment_method_id', 'text')
    .addColumn('dunning_attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('grace_ends_at', 'timestamptz')
    .addColumn('canceled_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    // Monotonic version written by the workflow; a projection never overwrites a newer one.
    .addColumn('state_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('subscriptions_unit_amount_nonneg', sql`unit_amount >= 0`)
    .execute();
  // One live subscription per organization; ended ones are kept as history.
  await sql`create unique index subscriptions_one_live_per_org on subscriptions (organization_id)
    where ended_at is null`.execute(db);
  await db.schema
    .createIndex('subscriptions_org_created')
    .on('subscriptions')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('subscriptions_status_period_end')
    .on('subscriptions')
    .columns(['status', 'current_period_end'])
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('stripe_invoice_id', 'text', (c) => c.notNull().unique())
    .addColumn('stripe_subscription_id', 'text')
    .addColumn('number', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('amount_due', 'bigint', (c) => c.notNull())
    .addColumn('amount_paid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('amount_remaining', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('billing_reason', 'text')
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('hosted_invoice_url', 'text')
    .addColumn('invoice_pdf', 'text')
    .addColumn('period_start', 'timestamptz')
    .addColumn('period_end', 'timestamptz')
    .addColumn('due_date', 'timestamptz')
    .addColumn('paid_at', 'timestamptz')
    .addColumn('stripe_created_at', 'timestamptz', (c) => c.notNull())
    // Stripe `created` of the event that last wrote this row: older events never overwrite newer state.
    .addColumn('source_event_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('invoices_org_created')
    .on('invoices')
    .columns(['organization_id', 'stripe_created_at', 'id'])
    .execute();
  await db.schema.createIndex('invoices_subscription').on('invoices').column('stripe_subscription_id').execute();

  await db.schema
    .createTable('payment_methods')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('stripe_payment_method_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull().defaultTo('card'))
    .addColumn('brand', 'text')
    .addColumn('last4', 'char(4)')
    .addColumn('exp_month', 'smallint')
    .addColumn('exp_year', 'smallint')
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('detached_at', 'timestamptz')
    .addColumn('source_event_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('payment_methods_org')
    .on('payment_methods')
    .columns(['organization_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('usage_records')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'uuid', (c) => c.references('subscriptions.id').onDelete('set null'))
    .addColumn('metric_type', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('period_start', 'timestamptz', (c) => c.notNull())
    .addColumn('period_end', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('usage_records_org_metric_period', ['organization_id', 'metric_type', 'period_start'])
    .addCheckConstraint('usage_records_period_order', sql`period_end > period_start`)
    .execute();

  await db.schema
    .createTable('usage_daily')
    .addColumn('organization_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    // Counters: sum of the day. Gauges: the latest reading of the day (by event timestamp).
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('last_event_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('usage_daily_pk', ['organization_id', 'metric', 'day'])
    .execute();

  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text')
    .addColumn('livemode', 'boolean', (c) => c.notNull())
    .addColumn('stripe_created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('organization_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('relay_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('relay_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('relayed_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('stripe_events_relay_status', sql`relay_status in ('pending', 'relayed', 'ignored')`)
    .execute();
  await sql`create index stripe_events_relay_due on stripe_events (next_attempt_at, stripe_created_at)
    where relay_status = 'pending'`.execute(db);
  await db.schema.createIndex('stripe_events_created').on('stripe_events').column('stripe_created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'stripe_events',
    'usage_daily',
    'usage_records',
    'payment_methods',
    'invoices',
    'subscriptions',
    'billing_customers',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
