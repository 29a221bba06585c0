import { PLANS, isUnlimited } from '../domain/plans';
import { eventTimeRejection, type EventTimeRejection } from '../domain/usage';
import { currentPeriodStart, usagePeriodAt } from '../domain/usage-periods';
import type { UsageEvent } from './event-schema';
import type { PlacedEvent } from './ingest-statement';
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
  for (const original of events) {
    const context = contexts.get(original.organizationId) ?? null;
    const ahead = opts.followStripeTestClocks && context?.currentPeriodStart != null && context.currentPeriodStart > now ? context.currentPeriodStart : null;
    const event = ahead !== null && original.occurredAt <= now + 300_000 ? { ...original, occurredAt: Math.max(original.occurredAt, ahead) } : original;
    const reason = eventTimeRejection(event.occurredAt, ahead ?? now, currentPeriodStart(context, now));
    if (reason) {
      rejected.push({ event, reason });
      continue;
    }
    const period = usagePeriodAt(event.occurredAt, context);
    const limit = PLANS[context?.plan ?? 'free'].limits[event.metric];
    placed.push({
      ...event,
      periodStart: period.start,
      periodEnd: period.end,
      subscriptionId: context?.subscriptionId ?? null,
      limit: isUnlimited(limit) ? null : limit,
    });
  }
  return { placed, rejected };
}
