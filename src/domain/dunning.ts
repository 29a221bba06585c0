import type { BillingPolicy } from './billing-policy';

/**
 * Hard declines: retrying the same card cannot succeed (the card is gone, closed or wrong) or the issuer
 * flags fraud, and repeated attempts on such cards hurt the account's standing with the networks. Those
 * wait for a new payment method. Everything else is soft (funds, limits, issuer hiccups) and is retried
 * on schedule. `do_not_honor` is deliberately soft: issuers use it as a generic refusal that often passes
 * days later.
 */
export const HARD_DECLINE_CODES: ReadonlySet<string> = new Set([
  'stolen_card',
  'lost_card',
  'pickup_card',
  'expired_card',
  'invalid_account',
  'incorrect_number',
  'invalid_number',
  'restricted_card',
  'fraudulent',
  'merchant_blacklist',
  'security_violation',
  'card_not_supported',
  'currency_not_supported',
  'new_account_information_available',
  'revocation_of_authorization',
  'revocation_of_all_authorizations',
  'stop_payment_order',
  'transaction_not_allowed',
  // The issuer wants the cardholder present (3-D Secure); an off-session retry cannot satisfy that.
  'authentication_required',
]);

/** Stripe's issuer advice, when present, outranks our code list (it comes from the network itself). */
const HARD_ADVICE = new Set(['do_not_try_again', 'confirm_card_data']);

export type DeclineSeverity = 'hard' | 'soft';

export interface DeclineInfo {
  declineCode: string | null;
  adviceCode?: string | null;
}

export function classifyDecline({ declineCode, adviceCode }: DeclineInfo): DeclineSeverity {
  if (adviceCode === 'try_again_later') return 'soft';
  if (adviceCode && HARD_ADVICE.has(adviceCode)) return 'hard';
  return declineCode !== null && HARD_DECLINE_CODES.has(declineCode) ? 'hard' : 'soft';
}

/** The absolute dunning timetable for an invoice whose first payment failed at `firstFailureAt`. */
export interface DunningSchedule {
  retryAt: number[];
  graceEndsAt: number;
  finalNoticeAt: number;
}

export function dunningSchedule(firstFailureAt: number, policy: BillingPolicy['dunning']): DunningSchedule {
  const retryAt = policy.retryDelaysMs.map((ms) => firstFailureAt + ms);
  const lastRetryAt = retryAt[retryAt.length - 1] ?? firstFailureAt;
  const graceEndsAt = lastRetryAt + policy.graceMs;
  return { retryAt, graceEndsAt, finalNoticeAt: graceEndsAt - policy.finalNoticeBeforeGraceEndMs };
}

/**
 * The next automatic retry, or null: none after a hard decline, none once the schedule is used up.
 * `scheduledRetriesDone` counts only schedule slots (an immediate retry after a card update does not
 * consume one), so a customer who fixes the card early never loses later retries.
 */
export function nextScheduledRetry(
  schedule: DunningSchedule,
  scheduledRetriesDone: number,
  severity: DeclineSeverity,
): number | null {
  if (severity === 'hard') return null;
  return schedule.retryAt[scheduledRetriesDone] ?? null;
}

/** What happens when dunning runs out: the policy's end state, nothing deleted. */
export const DUNNING_END_ACTIONS = [
  'cancel_stripe_subscription',
  'mark_invoice_uncollectible',
  'fall_back_to_free',
] as const;
