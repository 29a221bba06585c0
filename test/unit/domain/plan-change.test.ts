import { decidePlanChange, validateSubscribe, type PlanChangeContext } from '../../../src/domain/plan-change';

const active = (over: Partial<PlanChangeContext> = {}): PlanChangeContext => ({
  status: 'active',
  plan: 'starter',
  pendingPlan: null,
  cancelAtPeriodEnd: false,
  ...over,
});

describe('plan changes', () => {
  test('a higher plan is an immediate upgrade, a lower one a downgrade at period end', () => {
    expect(decidePlanChange(active(), 'professional')).toEqual({
      kind: 'upgrade',
      from: 'starter',
      to: 'professional',
    });
    expect(decidePlanChange(active({ plan: 'professional' }), 'starter')).toEqual({
      kind: 'downgrade',
      from: 'professional',
      to: 'starter',
    });
  });

  test('choosing free means canceling at period end', () => {
    expect(decidePlanChange(active(), 'free')).toEqual({ kind: 'cancel_at_period_end', from: 'starter' });
  });

  test('the same plan is rejected', () => {
    expect(decidePlanChange(active(), 'starter')).toMatchObject({ kind: 'rejected', reason: 'SamePlan' });
  });

  test('enterprise is not self-serve but an operator may assign it', () => {
    expect(decidePlanChange(active(), 'enterprise')).toMatchObject({
      kind: 'rejected',
      reason: 'EnterpriseNotSelfServe',
    });
    expect(decidePlanChange(active(), 'enterprise', 'operator')).toEqual({
      kind: 'upgrade',
      from: 'starter',
      to: 'enterprise',
    });
  });

  test('a pending downgrade or cancel must be resumed before another change', () => {
    expect(
      decidePlanChange(active({ plan: 'professional', pendingPlan: 'starter' }), 'enterprise', 'operator'),
    ).toMatchObject({ kind: 'rejected', reason: 'PendingChangeExists' });
    expect(decidePlanChange(active({ cancelAtPeriodEnd: true }), 'professional')).toMatchObject({
      reason: 'PendingChangeExists',
    });
  });

  test.each(['past_due', 'canceled', 'none', 'incomplete'] as const)('no plan change while %s', (status) => {
    expect(decidePlanChange(active({ status }), 'professional')).toMatchObject({
      kind: 'rejected',
      reason: 'PlanChangeNotAllowed',
    });
  });

  test('trialing subscriptions may change plan', () => {
    expect(decidePlanChange(active({ status: 'trialing' }), 'professional')).toMatchObject({ kind: 'upgrade' });
  });
});

describe('subscribe validation', () => {
  test('a paid plan with a trial needs no card, without a trial it does', () => {
    expect(validateSubscribe('none', { plan: 'starter' })).toBeNull();
    expect(validateSubscribe('none', { plan: 'starter', skipTrial: true })).toMatchObject({
      reason: 'PaymentMethodRequired',
    });
    expect(validateSubscribe('none', { plan: 'starter', skipTrial: true, paymentMethodId: 'pm_1' })).toBeNull();
  });

  test('existing subscriptions, free and enterprise are refused', () => {
    expect(validateSubscribe('active', { plan: 'starter' })).toMatchObject({ reason: 'AlreadySubscribed' });
    expect(validateSubscribe('none', { plan: 'free' })).toMatchObject({ reason: 'InvalidPlan' });
    expect(validateSubscribe('none', { plan: 'enterprise' })).toMatchObject({ reason: 'EnterpriseNotSelfServe' });
  });
});
