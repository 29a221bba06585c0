import {
  PLANS,
  PLAN_IDS,
  isPlanId,
  planForLookupKey,
  withinLimit,
  isBillable,
  UNLIMITED,
} from '../../../src/domain/plans';

describe('plan catalog', () => {
  test('prices are integer minor units in usd, enterprise is custom', () => {
    expect(PLANS.free.price.unitAmount).toBe(0);
    expect(PLANS.starter.price.unitAmount).toBe(2900);
    expect(PLANS.professional.price.unitAmount).toBe(9900);
    expect(PLANS.enterprise.price.unitAmount).toBeNull();
    for (const id of PLAN_IDS) expect(PLANS[id].price.currency).toBe('usd');
  });

  test('paid self-serve plans carry a trial and a unique lookup key', () => {
    expect(PLANS.starter.trialDays).toBe(14);
    expect(PLANS.professional.trialDays).toBe(14);
    const keys = PLAN_IDS.map((id) => PLANS[id].price.lookupKey).filter(Boolean);
    expect(new Set(keys).size).toBe(keys.length);
    expect(PLANS.starter.price.lookupKey).toBe('billing_starter_monthly');
  });

  test('seed limits are kept, enterprise is unlimited everywhere', () => {
    expect(PLANS.free.limits).toMatchObject({ agents: 1, messages: 1000, users: 1, storage: 100 });
    expect(PLANS.professional.limits).toMatchObject({ agents: 25, messages: 100000, users: 10, storage: 10000 });
    expect(Object.values(PLANS.enterprise.limits).every((l) => l === UNLIMITED)).toBe(true);
  });

  test('ranks order the plans from free to enterprise', () => {
    expect(PLAN_IDS.map((id) => PLANS[id].rank)).toEqual([0, 1, 2, 3]);
  });

  test('overage is priced only for counters on paid self-serve plans', () => {
    expect(Object.keys(PLANS.starter.overage).sort()).toEqual(['api_calls', 'messages']);
    expect(PLANS.free.overage).toEqual({});
    expect(PLANS.enterprise.overage).toEqual({});
  });

  test('a lookup key maps back to its plan and unknown keys map to nothing', () => {
    expect(planForLookupKey('billing_professional_monthly')).toBe('professional');
    expect(planForLookupKey('something_else')).toBeNull();
    expect(planForLookupKey(null)).toBeNull();
  });

  test('limits check used plus requested, unlimited always fits', () => {
    expect(withinLimit('free', 'messages', 999, 1)).toBe(true);
    expect(withinLimit('free', 'messages', 999, 2)).toBe(false);
    expect(withinLimit('enterprise', 'messages', 10 ** 9, 10 ** 9)).toBe(true);
  });

  test('plan ids are recognised and free is not billable', () => {
    expect(isPlanId('starter')).toBe(true);
    expect(isPlanId('gold')).toBe(false);
    expect(isBillable('free')).toBe(false);
    expect(isBillable('starter')).toBe(true);
  });
});
