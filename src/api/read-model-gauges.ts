import { Gauge, type Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * Gauges computed from the read models when Prometheus scrapes, so they are right whichever process
 * (API, worker, another replica) made the change: subscriptions by plan and status, organizations
 * in dunning by attempt, the email outbox and the webhook inbox backlog.
 */
export function registerReadModelGauges(registry: Registry, db: Db): void {
  new Gauge({
    name: 'billing_subscriptions',
    help: 'Live subscriptions by plan and status (past_due = in dunning or grace)',
    labelNames: ['plan', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('subscriptions').select(['plan', 'status', sql<number>`count(*)::int`.as('n')]).where('ended_at', 'is', null).groupBy(['plan', 'status']).execute();
      for (const r of rows) this.set({ plan: r.plan, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'billing_dunning_subscriptions',
    help: 'Subscriptions in dunning by failed-attempt count',
    labelNames: ['attempt'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('subscriptions').select(['dunning_attempt', sql<number>`count(*)::int`.as('n')]).where('ended_at', 'is', null).where('dunning_attempt', '>', 0).groupBy('dunning_attempt').execute();
      for (const r of rows) this.set({ attempt: String(r.dunning_attempt) }, r.n);
    },
  });
  new Gauge({
    name: 'billing_email_outbox',
    help: 'Customer emails in the outbox by status (pending, sending, sent, failed, dead)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.selectFrom('email_outbox').select(['status', sql<number>`count(*)::int`.as('n')]).groupBy('status').execute();
      for (const r of rows) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'billing_webhook_inbox_pending',
    help: 'Stored Stripe events not yet relayed to their workflow',
    registers: [registry],
    async collect() {
      const row = await db.selectFrom('stripe_events').select(sql<number>`count(*)::int`.as('n')).where('relay_status', '=', 'pending').executeTakeFirst();
      this.set(row?.n ?? 0);
    },
  });
}
