import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/database';
import { cached } from './cached-query';
import { buildBillingHealthReport, type BillingHealthReport } from '../health-report/billing-health';

const DAY_MS = 86_400_000;

/**
 * The billing health report's figures as gauges over a rolling window ending at the scrape, read from
 * Postgres like the other read-model gauges. The report runs a few aggregates over the window, so one
 * result is shared by the gauges of a scrape and reused for `cacheMs` (scrapes every 15 s stay cheap).
 * Counters of the same events are billing_email_deliveries_total (worker) and billing_webhook_* (API).
 */
export function registerBillingHealthGauges(
  registry: Registry,
  db: Db,
  opts: { windowDays?: number; cacheMs?: number; now?: () => number } = {},
): void {
  const windowDays = opts.windowDays ?? 30;
  const cacheMs = opts.cacheMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const window = `${windowDays}d`;
  const report: () => Promise<BillingHealthReport> = cached(
    () => {
      const at = now();
      return buildBillingHealthReport(db, { from: new Date(at - windowDays * DAY_MS), to: new Date(at) });
    },
    cacheMs,
    now,
  );

  new Gauge({
    name: 'billing_health_ratio',
    help: `The seed's success figures over the last ${windowDays} days (payment_success_rate, webhook_processing_failure_rate, invoice_delivery_rate, payment_retry_rate); absent without data`,
    labelNames: ['figure', 'window'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of (await report()).figures) if (f.value !== null) this.set({ figure: f.figure, window }, f.value);
    },
  });
  new Gauge({
    name: 'billing_health_target_ratio',
    help: 'The target of each success figure (compare with billing_health_ratio; see billing_health_target_met)',
    labelNames: ['figure', 'comparison'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of (await report()).figures)
        this.set({ figure: f.figure, comparison: f.target.comparison }, f.target.value);
    },
  });
  new Gauge({
    name: 'billing_health_target_met',
    help: `1 when a success figure meets its target over the last ${windowDays} days, 0 when it misses; absent without data`,
    labelNames: ['figure', 'window'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of (await report()).figures)
        if (f.met !== null) this.set({ figure: f.figure, window }, f.met ? 1 : 0);
    },
  });
  new Gauge({
    name: 'billing_dunning_revenue_minor_units',
    help: `Revenue of invoices that went through dunning over the last ${windowDays} days: recovered (paid after a retry) or lost (uncollectible), per currency`,
    labelNames: ['currency', 'outcome', 'window'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await report()).dunningRevenue) {
        this.set({ currency: r.currency, outcome: 'recovered', window }, r.recovered);
        this.set({ currency: r.currency, outcome: 'lost', window }, r.lost);
      }
    },
  });
}
