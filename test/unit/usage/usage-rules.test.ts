import { decideEntitlement, overageBlocks } from '../../../src/domain/entitlements';
import { eventTimeRejection, utcDay } from '../../../src/domain/usage';
import { addMonthsUtc, calendarMonth, usagePeriodAt } from '../../../src/domain/usage-periods';

const at = (iso: string) => Date.parse(iso);

describe('usage periods (UTC)', () => {
  it('uses the UTC calendar month without a subscription period', () => {
    expect(calendarMonth(at('2026-02-28T23:59:59.999Z'))).toEqual({
      start: at('2026-02-01T00:00:00Z'),
      end: at('2026-03-01T00:00:00Z'),
    });
    expect(calendarMonth(at('2026-02-28T23:30:00-05:00')).start).toBe(at('2026-03-01T00:00:00Z'));
  });

  it('keeps the anchor day when adding months and clamps to short months', () => {
    expect(addMonthsUtc(at('2026-01-31T10:00:00Z'), 1)).toBe(at('2026-02-28T10:00:00Z'));
    expect(addMonthsUtc(at('2026-01-31T10:00:00Z'), 2)).toBe(at('2026-03-31T10:00:00Z'));
  });

  it('rolls forward past the projected period end, anchored on that end', () => {
    const sub = { currentPeriodStart: at('2026-01-01T00:00:00Z'), currentPeriodEnd: at('2026-01-31T12:00:00Z') };
    expect(usagePeriodAt(at('2026-01-31T11:59:59Z'), sub)).toEqual({
      start: at('2026-01-01T00:00:00Z'),
      end: at('2026-01-31T12:00:00Z'),
    });
    expect(usagePeriodAt(at('2026-01-31T12:00:00Z'), sub)).toEqual({
      start: at('2026-01-31T12:00:00Z'),
      end: at('2026-02-28T12:00:00Z'),
    });
    expect(usagePeriodAt(at('2026-03-01T00:00:00Z'), sub)).toEqual({
      start: at('2026-02-28T12:00:00Z'),
      end: at('2026-03-31T12:00:00Z'),
    });
  });

  it('files an instant under its UTC day whatever offset it was written with', () => {
    expect(utcDay(at('2026-03-09T23:30:00-05:00'))).toBe('2026-03-10');
    expect(utcDay(at('2026-03-10T00:30:00+02:00'))).toBe('2026-03-09');
  });
});

describe('event time window', () => {
  const now = at('2026-03-10T12:00:00Z');
  const periodStart = at('2026-03-01T00:00:00Z');
  it.each([
    ['2026-03-10T12:05:00Z', null],
    ['2026-03-10T12:05:00.001Z', 'timestamp_in_future'],
    ['2026-03-01T00:00:00Z', null],
    ['2026-02-28T23:59:59.999Z', 'before_current_period'],
    ['2026-02-03T11:59:59Z', 'timestamp_too_old'],
  ])('%s → %s', (iso, expected) => {
    expect(eventTimeRejection(at(iso), now, periodStart)).toBe(expected);
  });
});

describe('entitlement decisions', () => {
  it('holds free limits hard', () => {
    expect(decideEntitlement({ plan: 'free', metric: 'messages', used: 995, requested: 5 })).toEqual({
      allowed: true,
      limit: 1_000,
      used: 995,
      remaining: 5,
    });
    expect(decideEntitlement({ plan: 'free', metric: 'messages', used: 995, requested: 6 })).toEqual({
      allowed: false,
      limit: 1_000,
      used: 995,
      remaining: 5,
    });
  });

  it('allows priced overage on paid counters and says how much of the request it is', () => {
    expect(decideEntitlement({ plan: 'starter', metric: 'messages', used: 9_990, requested: 30 })).toMatchObject({
      allowed: true,
      remaining: 10,
      overage: { quantity: 20 },
    });
    expect(decideEntitlement({ plan: 'starter', metric: 'messages', used: 12_000, requested: 30 })).toMatchObject({
      allowed: true,
      remaining: 0,
      overage: { quantity: 30 },
    });
  });

  it('keeps gauges hard on paid plans and never limits enterprise', () => {
    expect(decideEntitlement({ plan: 'professional', metric: 'agents', used: 25, requested: 1 }).allowed).toBe(false);
    expect(decideEntitlement({ plan: 'enterprise', metric: 'agents', used: 10_000, requested: 1 })).toEqual({
      allowed: true,
      limit: null,
      used: 10_000,
      remaining: null,
    });
  });

  it('bills a started overage block whole, and nothing within the limit or without a price', () => {
    expect(overageBlocks('starter', 'messages', 10_000)).toEqual({ overUnits: 0, blocks: 0 });
    expect(overageBlocks('starter', 'messages', 10_001)).toEqual({ overUnits: 1, blocks: 1 });
    expect(overageBlocks('professional', 'api_calls', 1_025_000)).toEqual({ overUnits: 25_000, blocks: 3 });
    expect(overageBlocks('free', 'messages', 5_000)).toEqual({ overUnits: 0, blocks: 0 });
    expect(overageBlocks('starter', 'storage', 5_000)).toEqual({ overUnits: 0, blocks: 0 });
  });
});
