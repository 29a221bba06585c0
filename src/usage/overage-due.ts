import { sql } from 'kysely';
import { overageBlocks } from '../domain/entitlements';
import { PLANS, PLAN_IDS, isPlanId } from '../domain/plans';
import type { UsageMetric } from '../domain/usage';
import { loadUsageContexts } from './organization-context';
import { reportOverage, type ReportOverageDeps } from './overage';

export interface OverageRoundResult {
  organizations: number;
  eventsSent: number;
  failed: number;
}

const OVERAGE_PLANS = PLAN_IDS.filter((id) => Object.keys(PLANS[id].overage).length > 0);

/**
 * One reporting round: every organization on a plan with priced overage whose current period has
 * passed more blocks than Stripe was told, and every report still pending from an earlier attempt.
 * A failure is counted and retried next round (the pending total is fixed, so a retry sends the same
 * event); one organization's failure does not hold up the others.
 */
export async function reportDueOverage(deps: ReportOverageDeps & { onError?: (organizationId: string, err: unknown) => void }): Promise<OverageRoundResult> {
  const { db } = deps;
  const totals = await db.selectFrom('subscriptions as s')
    .innerJoin('usage_records as r', (join) => join
      .onRef('r.organization_id', '=', 's.organization_id')
      .onRef('r.period_start', '>=', 's.current_period_start')
      .onRef('r.period_start', '<', 's.current_period_end'))
    .leftJoin('usage_overage_reports as o', (join) => join
      .onRef('o.organization_id', '=', 's.organization_id')
      .onRef('o.metric', '=', 'r.metric_type')
      .onRef('o.period_start', '=', 's.current_period_start'))
    .select(['s.organization_id', 's.plan', 'r.metric_type'])
    .select((eb) => [eb.fn.sum<number>('r.quantity').as('total'), eb.fn.max(sql<number>`coalesce(o.reported_blocks, 0)`).as('reported')])
    .where('s.ended_at', 'is', null)
    .where('s.status', 'in', ['trialing', 'active', 'past_due'])
    .where('s.plan', 'in', OVERAGE_PLANS)
    .groupBy(['s.organization_id', 's.plan', 'r.metric_type'])
    .execute();
  const due = new Set(totals
    .filter((t) => isPlanId(t.plan) && overageBlocks(t.plan, t.metric_type as UsageMetric, Number(t.total)).blocks > Number(t.reported))
    .map((t) => t.organization_id));
  const pending = await db.selectFrom('usage_overage_reports')
    .select(['organization_id', 'plan', 'period_start', 'period_end']).where('reported_at', 'is', null).execute();

  const contexts = await loadUsageContexts(db, [...due]);
  const jobs = [
    ...pending.map((p) => ({ organizationId: p.organization_id, plan: isPlanId(p.plan) ? p.plan : undefined, period: { start: p.period_start.getTime(), end: p.period_end.getTime() } })),
    ...[...due].flatMap((organizationId) => {
      const c = contexts.get(organizationId);
      return c?.currentPeriodStart != null && c.currentPeriodEnd != null
        ? [{ organizationId, plan: c.plan, period: { start: c.currentPeriodStart, end: c.currentPeriodEnd } }]
        : [];
    }),
  ];
  const result: OverageRoundResult = { organizations: new Set(jobs.map((j) => j.organizationId)).size, eventsSent: 0, failed: 0 };
  for (const job of jobs) {
    try {
      const reports = await reportOverage(deps, job);
      result.eventsSent += reports.filter((r) => r.sent).length;
    } catch (err) {
      result.failed += 1;
      deps.onError?.(job.organizationId, err);
    }
  }
  return result;
}
