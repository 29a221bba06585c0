import { PLAN_IDS } from '../../../src/domain/plans';
import {
  ADD_ON_IDS,
  BILLING_INTERVALS,
  DEFAULT_TERMS,
  addOnPrice,
  limitsWith,
  planPrice,
  priceRole,
  renewalAmount,
  seatPrice,
  seatShortfall,
  termsDirection,
  termsRefusal,
} from '../../../src/domain/pricing';
import { decideTermsChange, type TermsChangeContext } from '../../../src/domain/terms-change';

const active: TermsChangeContext = {
  status: 'active',
  plan: 'starter',
  terms: DEFAULT_TERMS,
  scheduled: null,
  pendingPlan: null,
  cancelAtPeriodEnd: false,
};

describe('the catalog on two intervals', () => {
  test('yearly is ten months of the monthly price, for plans, seats and add-ons', () => {
    expect(planPrice('starter', 'year')).toMatchObject({ unitAmount: 29_000, lookupKey: 'billing_starter_yearly' });
    expect(planPrice('starter', 'month')).toMatchObject({ unitAmount: 2_900, lookupKey: 'billing_starter_monthly' });
    expect(seatPrice('professional', 'year')?.unitAmount).toBe(12_000);
    expect(addOnPrice('agents_5', 'starter', 'year')?.unitAmount).toBe(19_000);
    expect(planPrice('free', 'month')).toBeNull();
    expect(planPrice('enterprise', 'year')).toBeNull();
  });

  test('every lookup key maps back to its role, and no two prices share a key', () => {
    const keys: string[] = [];
    for (const plan of PLAN_IDS)
      for (const interval of BILLING_INTERVALS) {
        const p = planPrice(plan, interval);
        const s = seatPrice(plan, interval);
        if (p) expect(priceRole(p.lookupKey)).toEqual({ kind: 'plan', plan, interval });
        if (s) expect(priceRole(s.lookupKey)).toEqual({ kind: 'seat', plan, interval });
        keys.push(...[p?.lookupKey, s?.lookupKey].filter((k): k is string => k !== undefined));
      }
    for (const addOn of ADD_ON_IDS)
      for (const interval of BILLING_INTERVALS) {
        const key = addOnPrice(addOn, 'starter', interval)!.lookupKey;
        expect(priceRole(key)).toEqual({ kind: 'addOn', addOn, interval });
        keys.push(key);
      }
    expect(new Set(keys).size).toBe(keys.length);
    expect(priceRole('billing_starter_messages_overage')).toBeNull();
  });

  test('limits add up: seats on users, packs on their metric, a yearly term’s counters × 12; unlimited stays', () => {
    const terms = { interval: 'year' as const, seats: 4, addOns: { agents_5: 2, storage_10gb: 1 } };
    expect(limitsWith('starter', terms)).toEqual({
      users: 7,
      agents: 15,
      storage: 11_000,
      messages: 120_000,
      api_calls: 1_200_000,
    });
    expect(limitsWith('enterprise', terms).users).toBe(-1);
    expect(renewalAmount('starter', terms)).toBe(29_000 + 4 * 8_000 + 2 * 19_000 + 9_000);
  });

  test('seats below the users in use name both numbers', () => {
    expect(seatShortfall('starter', { ...DEFAULT_TERMS, seats: 1 }, 6)).toEqual({ seatLimit: 4, usersInUse: 6 });
    expect(seatShortfall('starter', { ...DEFAULT_TERMS, seats: 3 }, 6)).toBeNull();
  });

  test('what the plan does not sell is refused', () => {
    expect(termsRefusal('starter', { ...DEFAULT_TERMS, seats: -1 })).toMatch(/seats/);
    expect(termsRefusal('starter', { ...DEFAULT_TERMS, seats: 1.5 })).toMatch(/seats/);
    expect(termsRefusal('enterprise', DEFAULT_TERMS)).toMatch(/no monthly price/);
    expect(termsRefusal('starter', { ...DEFAULT_TERMS, addOns: { agents_5: 101 } })).toMatch(/packs/);
    expect(termsRefusal('professional', { interval: 'year', seats: 5, addOns: { storage_10gb: 3 } })).toBeNull();
  });
});

describe('when a change takes effect', () => {
  test('increases now, decreases at renewal, both at once refused', () => {
    const from = { plan: 'starter' as const, terms: { ...DEFAULT_TERMS, seats: 2 } };
    expect(termsDirection(from, { plan: 'starter', terms: { ...DEFAULT_TERMS, seats: 3 } })).toBe('now');
    expect(termsDirection(from, { plan: 'starter', terms: { ...from.terms, interval: 'year' } })).toBe('now');
    expect(termsDirection(from, { plan: 'starter', terms: DEFAULT_TERMS })).toBe('at_renewal');
    expect(termsDirection(from, { plan: 'professional', terms: DEFAULT_TERMS })).toBe('mixed');
  });

  test('decreases stack onto a scheduled change; an increase waits for resume; a trial applies everything now', () => {
    const scheduled = {
      ...active,
      terms: { ...DEFAULT_TERMS, seats: 5 },
      scheduled: { plan: 'starter' as const, terms: { ...DEFAULT_TERMS, seats: 3 }, scheduleId: 'sub_sched_1' },
    };
    expect(decideTermsChange(scheduled, { interval: 'month', seats: 1 })).toMatchObject({
      kind: 'at_renewal',
      terms: { seats: 1 },
    });
    expect(decideTermsChange(scheduled, { seats: 3 })).toMatchObject({ kind: 'rejected', reason: 'SamePlan' });
    expect(decideTermsChange(scheduled, { seats: 6 })).toMatchObject({
      kind: 'rejected',
      reason: 'PendingChangeExists',
    });
    expect(
      decideTermsChange({ ...active, status: 'trialing' }, { plan: 'starter', seats: 0, interval: 'year' }),
    ).toMatchObject({
      kind: 'now',
    });
    expect(decideTermsChange({ ...active, status: 'past_due' }, { seats: 1 })).toMatchObject({
      reason: 'PlanChangeNotAllowed',
    });
    expect(decideTermsChange(active, { plan: 'enterprise', seats: 1 })).toMatchObject({
      reason: 'EnterpriseNotSelfServe',
    });
  });
});
