/**
 * Pausing a subscription (issue #20): the customer stops paying for a while, with or without access, and the
 * subscription resumes on a date or when asked. Stripe's `pause_collection` carries it: the subscription stays
 * `active` in Stripe and keeps renewing, but Stripe collects nothing for the invoices it makes meanwhile.
 */
export const PAUSE_BEHAVIORS = ['keep_access', 'no_access'] as const;
export type PauseBehavior = (typeof PAUSE_BEHAVIORS)[number];

/** `pause_collection.behavior`: what Stripe does with the invoices a paused subscription still generates. */
export type StripePauseBehavior = 'keep_as_draft' | 'mark_uncollectible' | 'void';

/**
 * keep_access: the product is given for free meanwhile, so its invoices are `mark_uncollectible` (Stripe's choice
 * for "temporarily offer services for free and never collect payment"; they stay on record as written off).
 * no_access: nothing is provided, so nothing is owed: the invoices are `void`. Neither is ever attempted, so a
 * pause never starts dunning. `keep_as_draft` (collect later) is not offered: resuming would bill the pause.
 */
export const STRIPE_PAUSE_BEHAVIOR: Record<PauseBehavior, Exclude<StripePauseBehavior, 'keep_as_draft'>> = {
  keep_access: 'mark_uncollectible',
  no_access: 'void',
};

/** A pause set elsewhere (Dashboard) read back: voided invoices mean no service; the others give it for free. */
export function pauseBehaviorOf(stripeBehavior: string): PauseBehavior {
  return stripeBehavior === 'void' ? 'no_access' : 'keep_access';
}

/** The furthest a resume date may be set (a pause is a break, not a second way to cancel). */
export const MAX_PAUSE_MS = 365 * 86_400_000;

/** Why a resume date cannot be used, or null: it must be in the future and at most a year out. */
export function resumesAtRefusal(resumesAt: number | null | undefined, now: number): string | null {
  if (resumesAt === null || resumesAt === undefined) return null;
  if (!Number.isFinite(resumesAt)) return 'resumesAt must be a date';
  if (resumesAt <= now) return 'resumesAt must be in the future';
  if (resumesAt > now + MAX_PAUSE_MS) return 'resumesAt must be at most a year from now';
  return null;
}

/** A pause in force, as the workflow holds it. */
export interface PauseState {
  behavior: PauseBehavior;
  /** When the workflow resumes it (its own timer); null = until asked. */
  resumesAt: number | null;
  /**
   * pause_collection: paused through the API or the Dashboard (Stripe keeps renewing, collects nothing).
   * paused_status: Stripe's own `paused` status (a trial that ended without a payment method under
   * `end_behavior.missing_payment_method=pause`): no invoices at all until resumed.
   */
  source: 'pause_collection' | 'paused_status';
}
