import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes the operations console filters by (e.g. `BillingStatus = "past_due" AND
 * BillingPlan = "professional"`). Registered on the dev server by scripts/services.sh; shared with clients.
 */
export const BillingOrganizationId = defineSearchAttributeKey('BillingOrganizationId', SearchAttributeType.KEYWORD);
export const BillingPlan = defineSearchAttributeKey('BillingPlan', SearchAttributeType.KEYWORD);
export const BillingStatus = defineSearchAttributeKey('BillingStatus', SearchAttributeType.KEYWORD);
export const BillingDunningAttempt = defineSearchAttributeKey('BillingDunningAttempt', SearchAttributeType.INT);
export const BillingPeriodEnd = defineSearchAttributeKey('BillingPeriodEnd', SearchAttributeType.DATETIME);

export const BILLING_SEARCH_ATTRIBUTES = [
  BillingOrganizationId,
  BillingPlan,
  BillingStatus,
  BillingDunningAttempt,
  BillingPeriodEnd,
];
