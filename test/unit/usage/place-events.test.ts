import { placeEvents } from '../../../src/usage/place-events';
import type { UsageContext } from '../../../src/usage/organization-context';
import { PLANS } from '../../../src/domain/plans';

const now = Date.parse('2026-11-23T12:00:00Z');
const day = 86_400_000;
// A customer whose Stripe test clock was moved past the trial: its period starts 14 days after the real clock.
const ahead: UsageContext = {
  subscriptionId: 'sub_1',
  plan: 'starter',
  limits: PLANS.starter.limits,
  currentPeriodStart: now + 14 * day,
  currentPeriodEnd: now + 44 * day,
};
const contexts = new Map([['org_ahead', ahead]]);
const event = (occurredAt: number) => ({
  id: 'e1',
  organizationId: 'org_ahead',
  metric: 'messages' as const,
  quantity: 5,
  occurredAt,
});

describe('placing usage events when a Stripe test clock runs ahead of the real clock', () => {
  it('rejects real-time events as before the period in normal operation', () => {
    const { placed, rejected } = placeEvents([event(now)], contexts, now);
    expect(placed).toEqual([]);
    expect(rejected.map((r) => r.reason)).toEqual(['before_current_period']);
  });

  it('counts them at the start of the current period in test-clock mode', () => {
    const { placed, rejected } = placeEvents([event(now - 60_000)], contexts, now, { followStripeTestClocks: true });
    expect(rejected).toEqual([]);
    expect(placed).toEqual([
      expect.objectContaining({
        occurredAt: ahead.currentPeriodStart,
        periodStart: ahead.currentPeriodStart,
        periodEnd: ahead.currentPeriodEnd,
        limit: 10_000,
      }),
    ]);
  });

  it('keeps an event sent in Stripe time as it is, and still refuses one beyond the customer clock', () => {
    const inStripeTime = (ahead.currentPeriodStart ?? 0) + 60_000;
    expect(
      placeEvents([event(inStripeTime)], contexts, now, { followStripeTestClocks: true }).placed[0]?.occurredAt,
    ).toBe(inStripeTime);
    const tooFar = (ahead.currentPeriodStart ?? 0) + day;
    expect(
      placeEvents([event(tooFar)], contexts, now, { followStripeTestClocks: true }).rejected.map((r) => r.reason),
    ).toEqual(['timestamp_in_future']);
  });
});
