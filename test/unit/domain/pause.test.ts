import { MAX_PAUSE_MS, pauseBehaviorOf, resumesAtRefusal, STRIPE_PAUSE_BEHAVIOR } from '../../../src/domain/pause';
import { isOperationAllowed } from '../../../src/domain/subscription-status';

const NOW = Date.UTC(2027, 0, 1);

describe('pause rules', () => {
  test('keep_access writes the pause’s invoices off (uncollectible); no_access voids them; neither keeps drafts', () => {
    expect(STRIPE_PAUSE_BEHAVIOR).toEqual({ keep_access: 'mark_uncollectible', no_access: 'void' });
  });

  test('a Dashboard pause reads as no access only when its invoices are voided', () => {
    expect(pauseBehaviorOf('void')).toBe('no_access');
    expect(pauseBehaviorOf('mark_uncollectible')).toBe('keep_access');
    expect(pauseBehaviorOf('keep_as_draft')).toBe('keep_access');
  });

  test.each([
    ['no date', undefined, null],
    ['null', null, null],
    ['a minute from now', NOW + 60_000, null],
    ['exactly a year out', NOW + MAX_PAUSE_MS, null],
    ['now', NOW, 'resumesAt must be in the future'],
    ['yesterday', NOW - 86_400_000, 'resumesAt must be in the future'],
    ['a year and a millisecond out', NOW + MAX_PAUSE_MS + 1, 'resumesAt must be at most a year from now'],
    ['not a number', Number.NaN, 'resumesAt must be a date'],
  ])('resume date %s', (_label, resumesAt, refusal) => {
    expect(resumesAtRefusal(resumesAt, NOW)).toBe(refusal);
  });

  test('only an active subscription can be paused; a paused one can be canceled, resumed or unpaused, not changed', () => {
    expect(isOperationAllowed('active', 'pause')).toBe(true);
    for (const status of ['none', 'incomplete', 'trialing', 'past_due', 'paused', 'canceled'] as const)
      expect(isOperationAllowed(status, 'pause')).toBe(false);
    expect(isOperationAllowed('paused', 'unpause')).toBe(true);
    expect(isOperationAllowed('paused', 'cancel')).toBe(true);
    expect(isOperationAllowed('paused', 'changePlan')).toBe(false);
  });
});
