import { isUnlimited } from '../domain/plans';
import type { UsageMetric } from '../domain/usage';
import { usagePeriodAt } from '../domain/usage-periods';
import { checkAgainst, type CheckResult } from './entitlements';
import { loadUsageContext } from './organization-context';
import { ensureUsagePartitions } from './partitions';
import { retryOnConflict } from './retry';
import { invalidateUsageSnapshots } from './snapshot-cache';
import { isCounted, lockPeriodCounter, storePlacedEvents } from './store';
import { notifyThresholds, type ThresholdAlertDeps } from './threshold-alerts';

export interface ConsumeInput {
  organizationId: string;
  metric: UsageMetric;
  quantity: number;
  /** The usage event this consumption records; sending it to ingestion later is then a duplicate. */
  eventId: string;
}

export interface ConsumeResult extends CheckResult {
  consumed: boolean;
  /** The organization already counted the event id (a retried consume): nothing changed. */
  duplicate: boolean;
}

/**
 * Check-and-record in one transaction: the period's counter row is locked (FOR UPDATE) before the
 * decision, so concurrent consumes and ingestion batches (which update the same row) serialize on it
 * and an allowed consume can never take a hard limit past its value.
 */
export async function consumeEntitlement(
  deps: ThresholdAlertDeps,
  input: ConsumeInput,
  now: number,
): Promise<ConsumeResult> {
  const context = await loadUsageContext(deps.db, input.organizationId);
  const period = usagePeriodAt(now, context);
  await ensureUsagePartitions(deps.db, [now]);
  const limit = context.limits[input.metric];
  const outcome = await retryOnConflict(() =>
    deps.db.transaction().execute(async (trx) => {
      const seen = await isCounted(trx, input.organizationId, input.eventId);
      const used = await lockPeriodCounter(
        trx,
        { organizationId: input.organizationId, metric: input.metric, period },
        context.subscriptionId,
      );
      if (seen)
        return {
          result: checkAgainst(context, period, input.metric, used, 0),
          consumed: false,
          duplicate: true,
          crossed: [],
        };
      const result = checkAgainst(context, period, input.metric, used, input.quantity);
      if (!result.allowed) return { result, consumed: false, duplicate: false, crossed: [] };
      const stored = await storePlacedEvents(trx, [
        {
          id: input.eventId,
          organizationId: input.organizationId,
          metric: input.metric,
          quantity: input.quantity,
          occurredAt: now,
          periodStart: period.start,
          periodEnd: period.end,
          subscriptionId: context.subscriptionId,
          limit: isUnlimited(limit) ? null : limit,
        },
      ]);
      const consumed = stored.acceptedKeys.length === 1;
      return { result, consumed, duplicate: !consumed, crossed: stored.crossed };
    }),
  );
  if (outcome.consumed) invalidateUsageSnapshots(deps.db, [input.organizationId]);
  await notifyThresholds(deps, outcome.crossed);
  return { ...outcome.result, consumed: outcome.consumed, duplicate: outcome.duplicate };
}
