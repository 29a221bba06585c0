import { overageBlocks } from '../domain/entitlements';
import { PLANS, PLAN_IDS, isPlanId } from '../domain/plans';
import type { UsageMetric } from '../domain/usage';
import { loadUsageContexts } from './organization-context';
import { reportOverage, type ReportOverageDeps } from './overage';
import { currentOverageTotals, pendingOverageReports } from './store';

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
export async function reportDueOverage(
  deps: ReportOverageDeps & { onError?: (organizationId: string, err: unknown) => void },
): Promise<OverageRoundResult> {
  const { db } = deps;
  const totals = await currentOverageTotals(db, OVERAGE_PLANS);
  const due = new Set(
    totals
      .filter(
        (t) =>
          isPlanId(t.plan) &&
          overageBlocks(t.plan, t.metric_type as UsageMetric, Number(t.total)).blocks > Number(t.reported),
      )
      .map((t) => t.organization_id),
  );
  const pending = await pendingOverageReports(db);

  const contexts = await loadUsageContexts(db, [...due]);
  const jobs = [
    ...pending.map((p) => ({
      organizationId: p.organization_id,
      plan: isPlanId(p.plan) ? p.plan : undefined,
      period: { start: p.period_start.getTime(), end: p.period_end.getTime() },
    })),
    ...[...due].flatMap((organizationId) => {
      const c = contexts.get(organizationId);
      return c?.currentPeriodStart != null && c.currentPeriodEnd != null
        ? [{ organizationId, plan: c.plan, period: { start: c.currentPeriodStart, end: c.currentPeriodEnd } }]
        : [];
    }),
  ];
  const result: OverageRoundResult = {
    organizations: new Set(jobs.map((j) => j.organizationId)).size,
    eventsSent: 0,
    failed: 0,
  };
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
