import type Stripe from 'stripe';
import type { Db } from '../db/database';
import { overageBlocks } from '../domain/entitlements';
import { PLANS, type PlanId } from '../domain/plans';
import type { UsageMetric } from '../domain/usage';
import { loadUsageContext } from './organization-context';
import {
  confirmOverageSent,
  findOverageReport,
  getOverageReport,
  insertPendingOverage,
  periodTotal,
  raisePendingOverage,
  stripeCustomerIdOf,
  type OverageReportRow,
} from './store';

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
  /** Blocks billed for the period so far (cumulative). */
  blocks: number;
  /** The identifier of the latest meter event (the one that brought the total to `blocks`). */
  identifier: string;
  /** false when nothing new had to be sent. */
  sent: boolean;
}

/**
 * Deterministic per organization, metric, period and cumulative block count: the event that takes the
 * period's total to N blocks always has the same identifier, and Stripe counts an identifier once.
 */
export function overageIdentifier(
  organizationId: string,
  metric: UsageMetric,
  periodStart: number,
  cumulativeBlocks: number,
): string {
  return `ovg_${organizationId}_${metric}_${Math.floor(periodStart / 1000)}_b${cumulativeBlocks}`;
}

type ReportRow = OverageReportRow;

const keyOf = (input: ReportOverageInput, metric: UsageMetric) => ({
  organizationId: input.organizationId,
  metric,
  periodStart: input.period.start,
});

/**
 * Reports a period's overage to Stripe billing meters as it accrues: whenever the period's total has
 * passed more blocks than Stripe was told, ONE pre-aggregated meter event carries the difference
 * (never one call per usage event). The next cumulative total is fixed in usage_overage_reports
 * (`blocks`, `identifier`) before the call, so a retry — after a lost answer, a crash or a concurrent
 * reporter — first resends exactly that event under the same identifier (Stripe counts an identifier
 * once) and only then looks at newer usage. Run often during the period (the worker does), so the
 * usage is on the meter before Stripe drafts and finalizes the period's invoice. Values are in the
 * price's blocks (e.g. 1,000 messages).
 */
export async function reportOverage(deps: ReportOverageDeps, input: ReportOverageInput): Promise<OverageReport[]> {
  const { db } = deps;
  const context = await loadUsageContext(db, input.organizationId);
  const plan = PLANS[input.plan ?? context.plan];
  // A yearly term's counters cover the year (limitsWith); another plan than the live one keeps its own limits.
  const limits = plan.id === context.plan ? context.limits : plan.limits;
  const reports: OverageReport[] = [];
  for (const [metric, priced] of Object.entries(plan.overage) as [
    UsageMetric,
    NonNullable<(typeof plan.overage)[UsageMetric]>,
  ][]) {
    let row = await findOverageReport(db, keyOf(input, metric));
    let sent = false;
    if (row && !row.reported_at) {
      row = await send(deps, input, metric, row);
      sent = true;
    }
    const total = await periodTotal(db, input.organizationId, metric, input.period);
    const computed = overageBlocks(plan.id, metric, total, limits[metric]);
    if (computed.blocks > (row?.reported_blocks ?? 0)) {
      const pending = await fixNextTotal(db, input, plan.id, metric, priced.meterEventName, computed, row);
      if (!pending.reported_at) {
        row = await send(deps, input, metric, pending);
        sent = true;
      } else row = pending;
    }
    if (row)
      reports.push({
        metric,
        overUnits: row.over_units,
        blocks: row.reported_blocks,
        identifier: row.identifier,
        sent,
      });
  }
  return reports;
}

async function send(
  deps: ReportOverageDeps,
  input: ReportOverageInput,
  metric: UsageMetric,
  row: ReportRow,
): Promise<ReportRow> {
  // Stripe attributes the event to the period by its timestamp: inside the period, and never in the
  // future of the real clock (a test clock may run ahead of it; then the period's start).
  const now = input.asOf ?? (deps.now ?? Date.now)();
  const at = Math.max(input.period.start, Math.min(input.period.end - 1_000, now));
  await deps.stripe.billing.meterEvents.create(
    {
      event_name: row.meter_event_name,
      identifier: row.identifier,
      timestamp: Math.floor(at / 1000),
      payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.blocks - row.reported_blocks) },
    },
    // No idempotency key: the timestamp of a resend may differ, and Stripe counts a meter event's identifier once.
  );
  // Only the pending total this call sent is confirmed; a concurrent reporter that got there first is a no-op.
  await confirmOverageSent(deps.db, keyOf(input, metric), row.identifier);
  return getOverageReport(deps.db, keyOf(input, metric));
}

/** Fixes the next cumulative total as pending (only when nothing else is pending); returns the row as it stands. */
async function fixNextTotal(
  db: Db,
  input: ReportOverageInput,
  plan: PlanId,
  metric: UsageMetric,
  meterEventName: string,
  computed: { overUnits: number; blocks: number },
  row: ReportRow | undefined,
): Promise<ReportRow> {
  const identifier = overageIdentifier(input.organizationId, metric, input.period.start, computed.blocks);
  if (row) {
    await raisePendingOverage(db, keyOf(input, metric), {
      blocks: computed.blocks,
      overUnits: computed.overUnits,
      identifier,
      plan,
    });
  } else {
    const stripeCustomerId = await stripeCustomerIdOf(db, input.organizationId);
    if (!stripeCustomerId)
      throw new Error(`organization ${input.organizationId} has no Stripe customer to bill overage to`);
    await insertPendingOverage(db, {
      organization_id: input.organizationId,
      metric,
      period_start: new Date(input.period.start),
      period_end: new Date(input.period.end),
      plan,
      over_units: computed.overUnits,
      blocks: computed.blocks,
      meter_event_name: meterEventName,
      identifier,
      stripe_customer_id: stripeCustomerId,
    });
  }
  // Whoever fixed a pending total first wins; a concurrent attempt sends theirs.
  return getOverageReport(db, keyOf(input, metric));
}
