import { cardError, type StripeApiError, type StripeErrorBody } from '../http/errors';
import type { Sim } from '../sim';
import type { CardBehavior } from '../store';
import { TEST_CARDS, type CardDecline, type TestCard } from './test-cards';

export type PaymentOutcome =
  { kind: 'succeeds' } | { kind: 'requires_action' } | { kind: 'declines'; decline: CardDecline };

const DEFAULT_CARD = 'pm_card_visa';

/** A state file written before the card table stored `{ outcome: … }`; read it as the card it meant. */
type LegacyBehavior =
  { outcome: 'succeeds' } | { outcome: 'declines'; code: string; declineCode: string; message: string };

export function behaviorOf(sim: Sim, pmId: string): CardBehavior {
  const stored = sim.state.cardBehaviors[pmId] as CardBehavior | LegacyBehavior | undefined;
  if (!stored) return { card: DEFAULT_CARD };
  if ('card' in stored) return stored;
  if (stored.outcome === 'succeeds') return { card: DEFAULT_CARD };
  return {
    card: DEFAULT_CARD,
    override: { code: stored.code, declineCode: stored.declineCode, adviceCode: null, message: stored.message },
  };
}

export function cardOf(behavior: CardBehavior): TestCard {
  const card = TEST_CARDS[behavior.card] ?? TEST_CARDS[DEFAULT_CARD];
  if (!card) throw new Error(`stripe-sim: unknown test card ${behavior.card}`);
  return card;
}

/**
 * What one payment attempt does, read from the card's row: on or off session, and whether the customer has
 * already authenticated this attempt (3-D Secure completed).
 */
export function paymentOutcome(
  behavior: CardBehavior,
  attempt: { offSession: boolean; authenticated: boolean },
): PaymentOutcome {
  if (behavior.override) return { kind: 'declines', decline: behavior.override };
  const card = cardOf(behavior);
  const setUpEnough = behavior.setUp === true && card.afterSetup === 'no_authentication';
  const rule = attempt.offSession ? card.offSession : card.onSession;
  if (rule === 'succeeds') return { kind: 'succeeds' };
  if (rule === 'requires_action')
    return attempt.authenticated || setUpEnough ? { kind: 'succeeds' } : { kind: 'requires_action' };
  const decline = card.decline;
  if (!decline) throw new Error(`stripe-sim: ${card.paymentMethod} declines without an error`);
  // A card that only needs authentication (its off-session decline is authentication_required) pays once authenticated or set up.
  if (decline.code === 'authentication_required' && (attempt.authenticated || setUpEnough)) return { kind: 'succeeds' };
  return { kind: 'declines', decline };
}

export function setupOutcome(behavior: CardBehavior): PaymentOutcome {
  const card = cardOf(behavior);
  if (card.setup === 'succeeds') return { kind: 'succeeds' };
  if (card.setup === 'requires_action') return { kind: 'requires_action' };
  return {
    kind: 'declines',
    decline: card.decline ?? {
      code: 'card_declined',
      declineCode: 'generic_decline',
      adviceCode: null,
      message: 'Your card was declined.',
    },
  };
}

/** The 402 a declined card answers with; `extra` names the intent or charge it concerns. */
export function declineError(decline: CardDecline, extra: Partial<StripeErrorBody> = {}): StripeApiError {
  return cardError(decline.message, decline.code, decline.declineCode, decline.param, {
    ...(decline.adviceCode ? { advice_code: decline.adviceCode } : {}),
    ...extra,
  });
}
