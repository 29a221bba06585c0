import { sql } from 'kysely';
import type { Db } from '../../src/db/database';

export interface StormSub {
  organizationId: string;
  email: string;
  customerId: string;
  /** Its card declines from the storm on: the renewal fails and dunning starts. */
  failing: boolean;
}

export interface SettleResult {
  /** Settle lag per subscription (ms from the clock advance), for the settled ones. */
  lags: Map<string, number>;
  unsettled: string[];
}

/**
 * Polls the read model until every subscription of the storm is settled, and records when each one was first
 * seen settled (so the lag's resolution is the poll interval). Settled means, for a good card: the cycle invoice
 * paid in the read model, the subscription active into the next period, and a receipt email sent (email_outbox
 * `sent`, enqueued after the storm began); for a failing card: the subscription `past_due` (or already `canceled`
 * after dunning) and the payment-failed email sent.
 */
export async function waitUntilSettled(
  db: Db,
  subs: readonly StormSub[],
  opts: { stormStartMs: number; periodEndMs: number; timeoutMs: number; intervalMs: number; log: (s: string) => void },
): Promise<SettleResult> {
  const lags = new Map<string, number>();
  const byOrg = new Map(subs.map((s) => [s.organizationId, s]));
  const since = new Date(opts.stormStartMs);
  const deadline = opts.stormStartMs + opts.timeoutMs;
  let lastLog = Date.now();
  while (lags.size < subs.length && Date.now() < deadline) {
    const seenAt = Date.now() - opts.stormStartMs;
    const [rows, paid, mails] = await Promise.all([
      db.selectFrom('subscriptions').select(['organization_id', 'status', 'current_period_end']).execute(),
      sql<{ organization_id: string; n: string }>`
        select organization_id, count(*)::text as n from invoices
        where billing_reason = 'subscription_cycle' and status = 'paid' group by organization_id`.execute(db),
      sql<{ organization_id: string; receipts: string; failed: string }>`
        select organization_id,
          count(*) filter (where kind = 'invoice_receipt')::text as receipts,
          count(*) filter (where kind = 'payment_failed')::text as failed
        from email_outbox where status = 'sent' and created_at >= ${since} group by organization_id`.execute(db),
    ]);
    const paidBy = new Map(paid.rows.map((r) => [r.organization_id, Number(r.n)]));
    const mailsBy = new Map(mails.rows.map((r) => [r.organization_id, r]));
    for (const row of rows) {
      const sub = byOrg.get(row.organization_id);
      if (!sub || lags.has(sub.organizationId)) continue;
      const mail = mailsBy.get(sub.organizationId);
      const settled = sub.failing
        ? (row.status === 'past_due' || row.status === 'canceled') && Number(mail?.failed ?? 0) >= 1
        : row.status === 'active' &&
          (row.current_period_end ? new Date(row.current_period_end).getTime() : 0) > opts.periodEndMs &&
          (paidBy.get(sub.organizationId) ?? 0) >= 1 &&
          Number(mail?.receipts ?? 0) >= 1;
      if (settled) lags.set(sub.organizationId, seenAt);
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      opts.log(`${lags.size} of ${subs.length} settled after ${(seenAt / 1000).toFixed(0)} s`);
    }
    if (lags.size < subs.length) await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
  return { lags, unsettled: subs.filter((s) => !lags.has(s.organizationId)).map((s) => s.organizationId) };
}

/** Waits (bounded) until no webhook waits to be relayed and no email waits to be sent. */
export async function waitUntilQuiet(db: Db, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const [events, mails] = await Promise.all([
      db
        .selectFrom('stripe_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('relay_status', '=', 'pending')
        .executeTakeFirst(),
      db
        .selectFrom('email_outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirst(),
    ]);
    if (Number(events?.n ?? 0) === 0 && Number(mails?.n ?? 0) === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** The q-quantile (0..1) of `values` by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
