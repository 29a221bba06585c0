/** The error Stripe returns for a declined card (402 `card_error`), as the simulator sends it. */
export interface CardDecline {
  code: string;
  declineCode: string | null;
  adviceCode: string | null;
  message: string;
  param?: string | undefined;
}

/**
 * One row of Stripe's testing page, written as the outcomes Stripe documents:
 * - `attach`: attaching to a Customer (Stripe: the decline table's cards "can't be attached to a Customer object");
 * - `setup`: confirming a SetupIntent with the card;
 * - `onSession` / `offSession`: confirming a payment with the customer present / absent (`off_session=true`,
 *   renewals); `declines` answers `decline`;
 * - `afterSetup`: `no_authentication` when a card set up with a SetupIntent stops asking for authentication.
 * Authentication, once completed, lets the payment succeed. Every behaviour of the simulator's test cards is read
 * from these rows (see card-outcomes.ts), and the tests check each row against the API.
 */
export interface TestCard {
  paymentMethod: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  funding: 'credit' | 'debit';
  last4: string;
  attach: 'attaches' | 'declines';
  setup: 'succeeds' | 'requires_action' | 'declines';
  onSession: 'succeeds' | 'requires_action' | 'declines';
  offSession: 'succeeds' | 'declines';
  afterSetup: 'no_change' | 'no_authentication';
  decline: CardDecline | null;
  /** Where Stripe documents the row. */
  source: string;
  /** Anything in the row that Stripe's documentation does not state. */
  note?: string;
}

const CARDS = 'https://docs.stripe.com/testing#cards';
const DECLINES = 'https://docs.stripe.com/testing#declined-payments';
const FRAUD = 'https://docs.stripe.com/testing#fraud-prevention';
const THREE_DS = 'https://docs.stripe.com/testing#authentication-and-setup';
const THREE_DS_SUPPORT = 'https://docs.stripe.com/testing#three-ds-cards';
const ADVICE_NOTE =
  "advice_code is not on Stripe's testing page; the value is the one a public suite of real test-mode runs recorded";
const OBSERVED_NOTE =
  'the testing page gives no decline_code ("n/a"); decline_code, param and advice_code are the values a public suite of real test-mode runs recorded';

const decline = (
  code: string,
  declineCode: string | null,
  adviceCode: string | null,
  message: string,
  param?: string,
): CardDecline => ({ code, declineCode, adviceCode, message, ...(param ? { param } : {}) });

const GENERIC = decline('card_declined', 'generic_decline', 'try_again_later', 'Your card was declined.');
const INSUFFICIENT = decline(
  'card_declined',
  'insufficient_funds',
  'try_again_later',
  'Your card has insufficient funds.',
);
const LOST = decline('card_declined', 'lost_card', 'do_not_try_again', 'Your card was declined.');
const STOLEN = decline('card_declined', 'stolen_card', 'do_not_try_again', 'Your card was declined.');
const EXPIRED = decline('expired_card', 'expired_card', 'confirm_card_data', 'Your card has expired.', 'exp_month');
const BLOCKED = decline('card_declined', 'fraudulent', null, 'Your card was declined.');
/** Off session, a card that needs authentication is declined (https://docs.stripe.com/declines/codes#authentication_required). */
export const AUTHENTICATION_REQUIRED = decline(
  'authentication_required',
  'authentication_required',
  null,
  'Your card was declined. This transaction requires authentication.',
);

const succeeds = {
  attach: 'attaches',
  setup: 'succeeds',
  onSession: 'succeeds',
  offSession: 'succeeds',
  afterSetup: 'no_change',
  decline: null,
} as const;
/** Stripe's decline table: refused at attach (and so at setup), declined on every payment. */
const declined = (d: CardDecline) =>
  ({
    attach: 'declines',
    setup: 'declines',
    onSession: 'declines',
    offSession: 'declines',
    afterSetup: 'no_change',
    decline: d,
  }) as const;
const authenticates = {
  attach: 'attaches',
  setup: 'requires_action',
  onSession: 'requires_action',
  offSession: 'declines',
  decline: AUTHENTICATION_REQUIRED,
} as const;

const rows: TestCard[] = [
  { paymentMethod: 'pm_card_visa', brand: 'visa', funding: 'credit', last4: '4242', ...succeeds, source: CARDS },
  { paymentMethod: 'pm_card_visa_debit', brand: 'visa', funding: 'debit', last4: '5556', ...succeeds, source: CARDS },
  {
    paymentMethod: 'pm_card_mastercard',
    brand: 'mastercard',
    funding: 'credit',
    last4: '4444',
    ...succeeds,
    source: CARDS,
  },
  { paymentMethod: 'pm_card_amex', brand: 'amex', funding: 'credit', last4: '8431', ...succeeds, source: CARDS },
  {
    paymentMethod: 'pm_card_discover',
    brand: 'discover',
    funding: 'credit',
    last4: '1117',
    ...succeeds,
    source: CARDS,
  },
  {
    paymentMethod: 'pm_card_chargeCustomerFail',
    brand: 'visa',
    funding: 'credit',
    last4: '0341',
    attach: 'attaches',
    setup: 'succeeds',
    onSession: 'declines',
    offSession: 'declines',
    afterSetup: 'no_change',
    decline: decline('card_declined', 'generic_decline', null, 'Your card was declined.'),
    source: DECLINES,
    note: 'the decline_code is not on the testing page ("attempts to charge the customer fail"); SetupIntent confirmation is assumed to succeed like the attach',
  },
  {
    paymentMethod: 'pm_card_visa_chargeDeclined',
    brand: 'visa',
    funding: 'credit',
    last4: '0002',
    ...declined(GENERIC),
    source: DECLINES,
    note: ADVICE_NOTE,
  },
  {
    paymentMethod: 'pm_card_visa_chargeDeclinedInsufficientFunds',
    brand: 'visa',
    funding: 'credit',
    last4: '9995',
    ...declined(INSUFFICIENT),
    source: DECLINES,
    note: ADVICE_NOTE,
  },
  {
    paymentMethod: 'pm_card_visa_chargeDeclinedLostCard',
    brand: 'visa',
    funding: 'credit',
    last4: '9987',
    ...declined(LOST),
    source: DECLINES,
    note: ADVICE_NOTE,
  },
  {
    paymentMethod: 'pm_card_visa_chargeDeclinedStolenCard',
    brand: 'visa',
    funding: 'credit',
    last4: '9979',
    ...declined(STOLEN),
    source: DECLINES,
    note: ADVICE_NOTE,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedExpiredCard',
    brand: 'visa',
    funding: 'credit',
    last4: '0069',
    ...declined(EXPIRED),
    source: DECLINES,
    note: OBSERVED_NOTE,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedIncorrectCvc',
    brand: 'visa',
    funding: 'credit',
    last4: '0127',
    ...declined(
      decline('incorrect_cvc', 'incorrect_cvc', 'confirm_card_data', "Your card's security code is incorrect.", 'cvc'),
    ),
    source: DECLINES,
    note: OBSERVED_NOTE,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedProcessingError',
    brand: 'visa',
    funding: 'credit',
    last4: '0119',
    ...declined(
      decline(
        'processing_error',
        'processing_error',
        'try_again_later',
        'An error occurred while processing your card. Try again in a little bit.',
      ),
    ),
    source: DECLINES,
    note: OBSERVED_NOTE,
  },
  {
    paymentMethod: 'pm_card_visa_chargeDeclinedVelocityLimitExceeded',
    brand: 'visa',
    funding: 'credit',
    last4: '6975',
    ...declined(
      decline(
        'card_declined',
        'card_velocity_exceeded',
        null,
        'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
      ),
    ),
    source: DECLINES,
  },
  // The older names of the same test cards (still accepted by Stripe; the simulator always knew them).
  {
    paymentMethod: 'pm_card_chargeDeclined',
    brand: 'visa',
    funding: 'credit',
    last4: '0002',
    ...declined(GENERIC),
    source: DECLINES,
    note: `older name of pm_card_visa_chargeDeclined; ${ADVICE_NOTE}`,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds',
    brand: 'visa',
    funding: 'credit',
    last4: '9995',
    ...declined(INSUFFICIENT),
    source: DECLINES,
    note: `older name of pm_card_visa_chargeDeclinedInsufficientFunds; ${ADVICE_NOTE}`,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedLostCard',
    brand: 'visa',
    funding: 'credit',
    last4: '9987',
    ...declined(LOST),
    source: DECLINES,
    note: `older name of pm_card_visa_chargeDeclinedLostCard; ${ADVICE_NOTE}`,
  },
  {
    paymentMethod: 'pm_card_chargeDeclinedStolenCard',
    brand: 'visa',
    funding: 'credit',
    last4: '9979',
    ...declined(STOLEN),
    source: DECLINES,
    note: `older name of pm_card_visa_chargeDeclinedStolenCard; ${ADVICE_NOTE}`,
  },
  {
    paymentMethod: 'pm_card_radarBlock',
    brand: 'visa',
    funding: 'credit',
    last4: '0019',
    attach: 'attaches',
    setup: 'succeeds',
    onSession: 'declines',
    offSession: 'declines',
    afterSetup: 'no_change',
    decline: BLOCKED,
    source: FRAUD,
    note: 'Radar screens payments ("Radar always blocks it"); attach and setup are assumed to pass; the blocked payment is card_declined/fraudulent (https://docs.stripe.com/declines/codes#fraudulent)',
  },
  {
    paymentMethod: 'pm_card_riskLevelHighest',
    brand: 'visa',
    funding: 'credit',
    last4: '4954',
    attach: 'attaches',
    setup: 'succeeds',
    onSession: 'declines',
    offSession: 'declines',
    afterSetup: 'no_change',
    decline: BLOCKED,
    source: FRAUD,
    note: '"Radar might block it depending on your settings": blocked here as by Radar\'s default rule for the highest risk level (https://docs.stripe.com/radar/risk-settings)',
  },
  {
    paymentMethod: 'pm_card_authenticationRequired',
    brand: 'visa',
    funding: 'credit',
    last4: '3184',
    ...authenticates,
    afterSetup: 'no_change',
    source: THREE_DS,
    note: '"requires authentication on all transactions, regardless of how the card is set up"; off session that is the authentication_required decline',
  },
  {
    paymentMethod: 'pm_card_authenticationRequiredOnSetup',
    brand: 'visa',
    funding: 'credit',
    last4: '3155',
    ...authenticates,
    afterSetup: 'no_authentication',
    source: THREE_DS,
    note: '"requires authentication for every payment unless you set it up for future payments. After you set it up, it no longer requires authentication."',
  },
  {
    paymentMethod: 'pm_card_threeDSecure2Required',
    brand: 'visa',
    funding: 'credit',
    last4: '3220',
    ...authenticates,
    afterSetup: 'no_change',
    source: THREE_DS_SUPPORT,
    note: '"3D Secure authentication must be completed for the payment to be successful"; off session that is the authentication_required decline',
  },
];

export const TEST_CARDS: Readonly<Record<string, TestCard>> = Object.fromEntries(
  rows.map((row) => [row.paymentMethod, row]),
);

/** The table in documentation order (the README's table and the per-card tests are generated from it). */
export const TEST_CARD_ROWS: readonly TestCard[] = rows;

/** `tok_visa` → `pm_card_visa`, so `card[token]` creation works with Stripe's test tokens. */
export function testCardForToken(token: string): TestCard | undefined {
  return TEST_CARDS[`pm_card_${token.replace(/^tok_/, '')}`];
}
