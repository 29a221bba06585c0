/**
 * Customer-facing sentences for card declines, keyed by Stripe decline code. They say what to do, never
 * why the issuer refused beyond what the customer can act on (Stripe asks merchants not to reveal fraud flags).
 */
const MESSAGES: Record<string, string> = {
  insufficient_funds: 'Your card has insufficient funds. Please use another card or try again later.',
  expired_card: 'Your card has expired. Please update your payment method.',
  incorrect_cvc: "Your card's security code is incorrect. Please check it and try again.",
  incorrect_number: 'Your card number is incorrect. Please check it or use another card.',
  invalid_number: 'Your card number is invalid. Please check it or use another card.',
  invalid_expiry_month: "Your card's expiration month is invalid.",
  invalid_expiry_year: "Your card's expiration year is invalid.",
  card_velocity_exceeded: 'Your card has reached its spending limit. Please use another card or contact your bank.',
  withdrawal_count_limit_exceeded:
    'Your card has reached its spending limit. Please use another card or contact your bank.',
  processing_error: 'An error occurred while processing your card. Please try again.',
  try_again_later: 'Your bank could not process the payment right now. Please try again later.',
  issuer_not_available: 'Your bank could not be reached. Please try again later.',
  authentication_required: 'Your bank requires you to confirm this payment. Please update your payment method.',
  card_not_supported: 'Your card does not support this type of purchase. Please use another card.',
  currency_not_supported: 'Your card does not support payments in this currency. Please use another card.',
};

// Lost/stolen/fraud codes get the generic sentence on purpose.
const GENERIC = 'Your card was declined. Please try another payment method.';

/**
 * Stripe's `advice_code`, where sent, says what will work next (https://docs.stripe.com/declines/codes): it replaces
 * the action half of the sentence, while the decline code still gives the reason.
 */
const ADVICE: Record<string, string> = {
  confirm_card_data: 'Your bank asks you to confirm your card details: please enter them again or use another card.',
  do_not_try_again: 'Your bank will not accept further payments on this card: please use another payment method.',
};

export function declineMessage(declineCode: string | null | undefined, adviceCode?: string | null): string {
  const message = (declineCode && MESSAGES[declineCode]) || GENERIC;
  const advice = adviceCode ? ADVICE[adviceCode] : undefined;
  if (!advice) return message;
  const reason = message.slice(0, message.indexOf('.') + 1);
  return `${reason} ${advice}`;
}
