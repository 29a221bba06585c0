import type { BillingPolicyOverrides } from './billing-policy';

const SECOND = 1_000;

/**
 * Named policy profiles, chosen by BILLING_POLICY_PROFILE. `standard` is production (days);
 * `demo` compresses the workflow's own timers to seconds so a demo or an end-to-end run can watch
 * dunning and grace play out while Stripe's clock is driven by test clocks.
 */
export const POLICY_PROFILES = {
  standard: {},
  demo: {
    dunning: {
      retryDelaysMs: [5 * SECOND, 10 * SECOND, 15 * SECOND, 20 * SECOND],
      graceMs: 10 * SECOND,
      finalNoticeBeforeGraceEndMs: 5 * SECOND,
    },
    sync: { backstopAfterDeadlineMs: 30 * SECOND, backstopRepeatMs: 60 * SECOND },
  },
} as const satisfies Record<string, BillingPolicyOverrides>;

export type PolicyProfile = keyof typeof POLICY_PROFILES;
export const POLICY_PROFILE_NAMES = Object.keys(POLICY_PROFILES) as [PolicyProfile, ...PolicyProfile[]];
