/**
 * The Stripe event types the subscription workflow consumes. Every other type is still stored
 * (and mirrored when it carries an invoice or payment method) but marked `ignored` by the relay.
 */
export const RELAYED_EVENT_TYPES = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.trial_will_end',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.paid',
  'invoice.finalized',
  'payment_method.attached',
  'payment_method.detached',
] as const;

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
