import type Stripe from 'stripe';
import type { Db } from '../db/database';
import { overageBlocks } from '../domain/entitlements';
import { PLANS, type PlanId } from '../domain/plans';
import type { UsageMetric } from '../domain/usage';
import { loadUsageContext } from './organization-context';

/** The part of the Stripe SDK reporting needs, so a caller can pass the SDK, a wrapper or a fake. */
export interface MeterEventsClient {
  billing: { meterEvents: Pick<Stripe['billing']['meterEvents'], 'create'> };
}

export interface ReportOverageDeps {
  db: Db;
  stripe: MeterEventsClient;
  now?: () => number;
}

export interface ReportOverageInput {
  organizationId: string;
  /** The billing period, epoch ms: [start, end). */
  period: { start: number; end: number };
  /** The plan billed for the period; defaults to the read model's current effective plan. */
  plan?: PlanId;
  /** Stripe's clock for the customer (its test clock in test mode); defaults to now. */
  asOf?: number;
}

export interface OverageReport {
  metric: UsageMetric;
  overUnits: number;
  blocks: number;
  identifier: string;
  /** false when an earlier attempt already reported it. */
  sent: boolean;
}

/** Deterministic per organization, metric and period; Stripe counts a meter event identifier once. */
export function overageIdentifier(organizationId: string, metric: UsageMetric, periodStart: number): string {
  return `ovg_${organizationId}_${metric}_${Math.floor(periodStart / 1000)}`;
}

async function periodTotal(db: Db, organizationId: string, metric: UsageMetric, period: { start: number; end: number }): Promise<number> {
  const row = await db.selectFrom('usage_records')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('quantity'), eb.lit(0)).as('total'))
    .where('organization_id', '=', organizationId).where('metric_type', '=', metric)
    .where('period_start', '>=', new Date(period.start)).where('period_start', '<', new Date(period.end))
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * Reports a period's overage to Stripe billing meters: ONE pre-aggregated meter event per organization,
 * metric and period, sent before the period's invoice is finalized (call it at period end, while the
 * renewal invoice is still a draft). The amount is fixed in usage_overage_reports before the call, so
 * a retry sends the same value under the same identifier; Stripe dedupes identifiers (for at least 24 h)
 * and `reported_at` stops resends after that. The value is in the price's blocks (e.g. 1,000 messages).
 */
export async function reportOverage(deps: ReportOverageDeps, input: ReportOverageInput): Promise<OverageReport[]> {
  const { db } = deps;
  const plan = PLANS[input.plan ?? (await loadUsageContext(db, input.organizationId)).plan];
  const reports: OverageReport[] = [];
  for (const [metric, priced] of Object.entries(plan.overage) as [UsageMetric, NonNullable<(typeof plan.overage)[UsageMetric]>][]) {
    const computed = overageBlocks(plan.id, metric, await periodTotal(db, input.organizationId, metric, input.period));
    const existing = await db.selectFrom('usage_overage_reports').selectAll()
      .where('organization_id', '=', input.organizationId).where('metric', '=', metric).where('period_start', '=', new Date(input.period.start))
      .executeTakeFirst();
    if (!existing && computed.blocks === 0) continue;
    const row = existing ?? await fixReport(db, input, plan.id, metric, priced.meterEventName, computed);
    const report = { metric, overUnits: row.over_units, blocks: row.blocks, identifier: row.identifier, sent: false };
    if (!row.reported_at) {
      const at = Math.min(input.period.end - 1_000, input.asOf ?? (deps.now ?? Date.now)());
      await deps.stripe.billing.meterEvents.create(
        { event_name: row.meter_event_name, identifier: row.identifier, timestamp: Math.floor(at / 1000), payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.blocks) } },
        { idempotencyKey: row.identifier },
      );
      await db.updateTable('usage_overage_reports').set({ reported_at: new Date() })
        .where('organization_id', '=', input.organizationId).where('metric', '=', metric).where('period_start', '=', new Date(input.period.start))
        .execute();
      report.sent = true;
    }
    reports.push(report);
  }
  return reports;
}

async function fixReport(
  db: Db,
  input: ReportOverageInput,
  plan: PlanId,
  metric: UsageMetric,
  meterEventName: string,
  computed: { overUnits: number; blocks: number },
) {
  const customer = await db.selectFrom('billing_customers').select('stripe_customer_id').where('organization_id', '=', input.organizationId).executeTakeFirst();
  if (!customer) throw new Error(`organization ${input.organizationId} has no Stripe customer to bill overage to`);
  await db.insertInto('usage_overage_reports').values({
    organization_id: input.organizationId,
    metric,
    period_start: new Date(input.period.start),
    period_end: new Date(input.period.end),
    plan,
    over_units: computed.overUnits,
    blocks: computed.blocks,
    meter_event_name: meterEventName,
    identifier: overageIdentifier(input.organizationId, metric, input.period.start),
    stripe_customer_id: customer.stripe_customer_id,
  }).onConflict((oc) => oc.columns(['organization_id', 'metric', 'period_start']).doNothing()).execute();
  // Whoever inserted first fixed the amount; a concurrent attempt reads theirs.
  return db.selectFrom('usage_overage_reports').selectAll()
    .where('organization_id', '=', input.organizationId).where('metric', '=', metric).where('period_start', '=', new Date(input.period.start))
    .executeTakeFirstOrThrow();
}
