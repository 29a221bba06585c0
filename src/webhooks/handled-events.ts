/**
 * The Stripe event types the subscription workflow consumes. Every other type is still stored
 * (and mirrored when it carries an invoice or payment method) but marked `ignored` by the relay.
 */
export const RELAYED_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  // An upgrade waiting for 3-D Secure: Stripe applies it once paid, or drops it after 23 hours.
  'customer.subscription.pending_update_applied',
  'customer.subscription.pending_update_expired',
  // Handled when delivered (an endpoint set up by hand in the Dashboard may send it) but not subscribed to:
  // Stripe sends it beside invoice.paid for every paid charge, with the same invoice (NOT_SUBSCRIBED below).
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  // Paid by any means: a charge, a credit balance, out of band.
  'invoice.paid',
  'invoice.finalized',
  // Collection by invoice: still unpaid on its due date (the overdue notice and grace start).
  'invoice.overdue',
  'payment_method.attached',
  'payment_method.detached',
] as const;

/** Relayed when they arrive, never asked for: what they say arrives in another subscribed event. */
const NOT_SUBSCRIBED: ReadonlySet<string> = new Set(['invoice.payment_succeeded']);

/**
 * The event types the webhook endpoint subscribes to: the relayed ones plus those the read-model mirror
 * projects (every invoice.* but upcoming and payment_succeeded, payment_method.*, customer.created|updated
 * for the default card). Nothing else is read, so nothing else is delivered: a renewal sends four events
 * instead of eight (no test-clock progress, no invoice.upcoming, no invoice.payment_succeeded beside
 * invoice.paid), each one Stripe signs and sends, the endpoint verifies and stores and the relay claims.
 * The same list goes into the Dashboard for real Stripe.
 */
export const SUBSCRIBED_EVENT_TYPES: readonly string[] = [
  ...new Set<string>([
    ...RELAYED_EVENT_TYPES,
    'customer.created',
    'customer.updated',
    'invoice.created',
    'invoice.updated',
    'invoice.deleted',
    'invoice.voided',
    'invoice.marked_uncollectible',
    'payment_method.updated',
    'payment_method.automatically_updated',
  ]),
]
  .filter((type) => !NOT_SUBSCRIBED.has(type))
  .sort();

export type RelayedEventType = (typeof RELAYED_EVENT_TYPES)[number];

const relayed: ReadonlySet<string> = new Set(RELAYED_EVENT_TYPES);

export function isRelayedEventType(type: string): type is RelayedEventType {
  return relayed.has(type);
}

/**
 * A subscription created outside the API (dashboard, script, migration) has no workflow yet:
 * its `created` event starts one that adopts it instead of merely signalling.
 */
export function startsTracking(type: string): boolean {
  return type === 'customer.subscription.created';
}
