import { cardError, type StripeApiError } from '../http/errors';
import type { CardBehavior } from '../store';

export type ChargeResult = { ok: true } | { ok: false; error: StripeApiError };

/** The outcome of charging a payment method, decided by its test-card behaviour. */
export function charge(behavior: CardBehavior | undefined): ChargeResult {
  if (!behavior || behavior.outcome === 'succeeds') return { ok: true };
  return { ok: false, error: cardError(behavior.message, behavior.code, behavior.declineCode) };
}
