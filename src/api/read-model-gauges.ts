import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/database';
import { cached } from './cached-query';
import { countDunningSubscriptions, countLiveSubscriptions } from '../db/read-models/subscriptions';
import { countMessagesByStatus } from '../notifications/store';
import { countDeadLetteredEvents, countPendingEvents } from '../webhooks/store';

/**
 * Gauges computed from the read models when Prometheus scrapes, so they are right whichever process
 * (API, worker, another replica) made the change: subscriptions by plan and status, organizations
 * in dunning by attempt, the email outbox, the webhook inbox backlog and its dead letters. Each count is
 * cached for `cacheMs` (METRICS_CACHE_MS), so a scrape costs the database at most five counts per period.
 */
export function registerReadModelGauges(
  registry: Registry,
  db: Db,
  opts: { cacheMs?: number; now?: () => number } = {},
): void {
  const cacheMs = opts.cacheMs ?? 15_000;
  const now = opts.now ?? Date.now;
  const live = cached(() => countLiveSubscriptions(db), cacheMs, now);
  const dunning = cached(() => countDunningSubscriptions(db), cacheMs, now);
  const outbox = cached(() => countMessagesByStatus(db), cacheMs, now);
  const inbox = cached(() => countPendingEvents(db), cacheMs, now);
  const deadLettered = cached(() => countDeadLetteredEvents(db), cacheMs, now);
  new Gauge({
    name: 'billing_subscriptions',
    help: 'Live subscriptions by plan and status (past_due = in dunning or grace)',
    labelNames: ['plan', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await live()) this.set({ plan: r.plan, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'billing_dunning_subscriptions',
    help: 'Subscriptions in dunning by failed-attempt count',
    labelNames: ['attempt'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await dunning()) this.set({ attempt: String(r.dunning_attempt) }, r.n);
    },
  });
  new Gauge({
    name: 'billing_email_outbox',
    help: 'Customer emails in the outbox by status (pending, sending, sent, failed, dead)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await outbox()) this.set({ status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'billing_webhook_inbox_pending',
    help: 'Stored Stripe events not yet relayed to their workflow',
    registers: [registry],
    async collect() {
      this.set(await inbox());
    },
  });
  new Gauge({
    name: 'billing_webhook_inbox_dead_lettered',
    help: 'Stored Stripe events the relay gave up on after WEBHOOK_RELAY_MAX_ATTEMPTS failures, waiting for redrive-events',
    registers: [registry],
    async collect() {
      this.set(await deadLettered());
    },
  });
}
