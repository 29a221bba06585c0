import { PLANS, isUnlimited } from '../domain/plans';
import { eventTimeRejection, type EventTimeRejection } from '../domain/usage';
import { currentPeriodStart, usagePeriodAt, type UsagePeriod } from '../domain/usage-periods';
import type { UsageEvent } from './event-schema';
import type { PlacedEvent } from './batch-totals';
import type { UsageContext } from './organization-context';

export interface TimeRejection {
  event: UsageEvent;
  reason: EventTimeRejection;
}

const MESSAGES: Record<EventTimeRejection, string> = {
  timestamp_in_future: 'timestamp is more than 5 minutes in the future',
  timestamp_too_old: 'timestamp is more than 35 days in the past',
  before_current_period: "timestamp is before the organization's current billing period; that period is closed",
};

export function rejectionMessage(reason: EventTimeRejection): string {
  return MESSAGES[reason];
}

/**
 * Decides each event's usage period (or why it cannot count) from its organization's context. With
 * `followStripeTestClocks` (test mode only), a period that starts after the real clock — the customer's
 * Stripe test clock was moved ahead — takes real-time events at its start instead of rejecting them.
 */
export function placeEvents(
  events: readonly UsageEvent[],
  contexts: ReadonlyMap<string, UsageContext>,
  now: number,
  opts: { followStripeTestClocks: boolean } = { followStripeTestClocks: false },
): { placed: PlacedEvent[]; rejected: TimeRejection[] } {
  const placed: PlacedEvent[] = [];
  const rejected: TimeRejection[] = [];
  // Per organization, once per call: its current period's start, and the last period an event fell in
  // (periods are contiguous, so one that contains the next event's time is that event's period).
  const perOrg = new Map<string, { currentStart: number; last: UsagePeriod | null }>();
  for (const original of events) {
    const context = contexts.get(original.organizationId) ?? null;
    const ahead =
      opts.followStripeTestClocks && context?.currentPeriodStart != null && context.currentPeriodStart > now
        ? context.currentPeriodStart
        : null;
    const event =
      ahead !== null && original.occurredAt <= now + 300_000
        ? { ...original, occurredAt: Math.max(original.occurredAt, ahead) }
        : original;
    let org = perOrg.get(event.organizationId);
    if (!org) perOrg.set(event.organizationId, (org = { currentStart: currentPeriodStart(context, now), last: null }));
    const reason = eventTimeRejection(event.occurredAt, ahead ?? now, org.currentStart);
    if (reason) {
      rejected.push({ event, reason });
      continue;
    }
    const period =
      org.last !== null && org.last.start <= event.occurredAt && event.occurredAt < org.last.end
        ? org.last
        : (org.last = usagePeriodAt(event.occurredAt, context));
    const limit = PLANS[context?.plan ?? 'free'].limits[event.metric];
    placed.push({
      id: event.id,
      organizationId: event.organizationId,
      metric: event.metric,
      quantity: event.quantity,
      occurredAt: event.occurredAt,
      periodStart: period.start,
      periodEnd: period.end,
      subscriptionId: context?.subscriptionId ?? null,
      limit: isUnlimited(limit) ? null : limit,
    });
  }
  return { placed, rejected };
}
