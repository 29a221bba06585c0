import { resolveBillingPolicy } from '../../../src/domain/billing-policy';
import { classifyDecline, dunningSchedule, nextScheduledRetry } from '../../../src/domain/dunning';
import { declineMessage } from '../../../src/domain/decline-messages';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);

describe('dunning policy', () => {
  test.each([
    'stolen_card',
    'lost_card',
    'expired_card',
    'pickup_card',
    'invalid_account',
    'incorrect_number',
    'fraudulent',
  ])('%s is a hard decline', (code) => expect(classifyDecline({ declineCode: code })).toBe('hard'));

  test.each(['insufficient_funds', 'generic_decline', 'do_not_honor', 'processing_error', 'try_again_later'])(
    '%s is a soft decline',
    (code) => expect(classifyDecline({ declineCode: code })).toBe('soft'),
  );

  test('an unknown or missing code is soft, issuer advice outranks the code', () => {
    expect(classifyDecline({ declineCode: null })).toBe('soft');
    expect(classifyDecline({ declineCode: 'generic_decline', adviceCode: 'do_not_try_again' })).toBe('hard');
    expect(classifyDecline({ declineCode: 'expired_card', adviceCode: 'try_again_later' })).toBe('soft');
  });

  test('the default schedule retries on days 1, 3, 5, 7 and ends grace three days later', () => {
    const s = dunningSchedule(T0, resolveBillingPolicy().dunning);
    expect(s.retryAt).toEqual([T0 + DAY, T0 + 3 * DAY, T0 + 5 * DAY, T0 + 7 * DAY]);
    expect(s.graceEndsAt).toBe(T0 + 10 * DAY);
    expect(s.finalNoticeAt).toBe(T0 + 9 * DAY);
  });

  test('retries follow the schedule, stop when it is used up and never follow a hard decline', () => {
    const s = dunningSchedule(T0, resolveBillingPolicy().dunning);
    expect(nextScheduledRetry(s, 0, 'soft')).toBe(T0 + DAY);
    expect(nextScheduledRetry(s, 3, 'soft')).toBe(T0 + 7 * DAY);
    expect(nextScheduledRetry(s, 4, 'soft')).toBeNull();
    expect(nextScheduledRetry(s, 0, 'hard')).toBeNull();
  });

  test('customers get an actionable message per decline code and a generic one for fraud codes', () => {
    expect(declineMessage('expired_card')).toMatch(/expired/);
    expect(declineMessage('insufficient_funds')).toMatch(/insufficient funds/);
    expect(declineMessage('stolen_card')).toBe(declineMessage(null));
  });

  test("Stripe's advice code replaces the action, the decline code still gives the reason", () => {
    expect(declineMessage('expired_card', 'confirm_card_data')).toBe(
      'Your card has expired. Your bank asks you to confirm your card details: please enter them again or use another card.',
    );
    expect(declineMessage('stolen_card', 'do_not_try_again')).toBe(
      'Your card was declined. Your bank will not accept further payments on this card: please use another payment method.',
    );
    expect(declineMessage('insufficient_funds', 'try_again_later')).toBe(declineMessage('insufficient_funds'));
    expect(declineMessage('incorrect_cvc', 'advice_stripe_invents_later')).toBe(declineMessage('incorrect_cvc'));
  });
});
