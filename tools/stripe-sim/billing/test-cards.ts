import type { CardBehavior } from '../store';

export interface TestCard {
  brand: 'visa' | 'mastercard' | 'amex';
  last4: string;
  behavior: CardBehavior;
}

const ok: CardBehavior = { outcome: 'succeeds' };
const declined = (at: 'attach' | 'charge', code: string, declineCode: string, message: string): CardBehavior =>
  ({ outcome: 'declines', at, code, declineCode, message });

const GENERIC = 'Your card was declined.';

/**
 * Stripe's test payment methods (docs: "Testing" → "Declined payments"). Cards that Stripe declines
 * on any use also fail when attached, because attaching runs a card check; `chargeCustomerFail`
 * (and, for this project, `visa_chargeDeclined`) attach fine and fail when charged.
 */
export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', behavior: ok },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', behavior: ok },
  pm_card_amex: { brand: 'amex', last4: '8431', behavior: ok },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', behavior: declined('attach', 'card_declined', 'generic_decline', GENERIC) },
  pm_card_chargeCustomerFail: { brand: 'visa', last4: '0341', behavior: declined('charge', 'card_declined', 'generic_decline', GENERIC) },
  pm_card_visa_chargeDeclined: { brand: 'visa', last4: '0002', behavior: declined('charge', 'card_declined', 'generic_decline', GENERIC) },
  pm_card_chargeDeclinedExpiredCard: { brand: 'visa', last4: '0069', behavior: declined('attach', 'expired_card', 'expired_card', 'Your card has expired.') },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', behavior: declined('attach', 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.') },
  pm_card_chargeDeclinedLostCard: { brand: 'visa', last4: '9987', behavior: declined('attach', 'card_declined', 'lost_card', GENERIC) },
  pm_card_chargeDeclinedStolenCard: { brand: 'visa', last4: '9979', behavior: declined('attach', 'card_declined', 'stolen_card', GENERIC) },
};

/** `tok_visa` → `pm_card_visa`, so `card[token]` creation works with Stripe's test tokens. */
export function testCardForToken(token: string): TestCard | undefined {
  return TEST_CARDS[`pm_card_${token.replace(/^tok_/, '')}`];
}
