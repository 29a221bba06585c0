import type { BillingPolicy } from '../../domain/billing-policy';
import { initialState as coreInitialState, type StateBeforeCoreV2 } from '../../domain/subscription/state';
export { toView } from '../../domain/subscription/state';

export type { DunningState } from '../../domain/subscription/state';
/** The state this code carries across continue-as-new (the policy core upgrades it: upgradeState). */
export type SubscriptionState = StateBeforeCoreV2;

export function initialState(organizationId: string): SubscriptionState {
  const {
    settledInvoiceId: _settled,
    lastPublished: _published,
    republish: _republish,
    rolloverPending: _rollover,
    ...state
  } = coreInitialState(organizationId);
  return state;
}

/** Remembers an event id; false when it was seen before. The set is bounded so history stays small. */
export function rememberEvent(s: SubscriptionState, eventId: string, policy: BillingPolicy): boolean {
  if (s.seenEventIds.includes(eventId)) return false;
  s.seenEventIds.push(eventId);
  if (s.seenEventIds.length > policy.seenEventLimit)
    s.seenEventIds.splice(0, s.seenEventIds.length - policy.seenEventLimit);
  return true;
}
