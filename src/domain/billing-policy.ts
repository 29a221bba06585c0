/**
 * Every duration the subscription workflow waits on, in milliseconds, in one object: production uses the
 * defaults, tests and demos pass short ones. Deadlines are computed from these as absolute times.
 */
export interface BillingPolicy {
  dunning: {
    /** Automatic retries of a failed invoice, measured from the first failure (default days 1, 3, 5, 7). */
    retryDelaysMs: number[];
    /** Access is kept this long after the last scheduled retry before the subscription is canceled. */
    graceMs: number;
    /** The final notice goes out this long before the grace period ends. */
    finalNoticeBeforeGraceEndMs: number;
  };
  trial: {
    /** The "trial ending" reminder goes out this long before the trial ends. */
    reminderBeforeEndMs: number;
  };
  sync: {
    /** If Stripe has not confirmed a renewal or trial end this long after it was due, ask Stripe directly. */
    backstopAfterDeadlineMs: number;
    /** Backstop repeats at this interval while Stripe still shows the old period (its clock may lag). */
    backstopRepeatMs: number;
  };
  /** A run that never got a subscription (rejected subscribe, stray event) ends after this long. */
  idleTimeoutMs: number;
  /** Webhook event ids remembered for deduplication; older ones fall out first. */
  seenEventLimit: number;
  /**
   * A run continues as new at a new billing period once its history holds this many events. Before that it does
   * so only when the worker's workflow code has changed since the run started (or Temporal suggests it), so a run
   * spans periods while its code stays the same (docs/workflow-versioning.md, "One run for many periods"). Which
   * task continues as new depends on it: changing the default is a workflow change (behind a patch).
   */
  runHistoryLimit: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_BILLING_POLICY: BillingPolicy = {
  dunning: {
    retryDelaysMs: [1 * DAY, 3 * DAY, 5 * DAY, 7 * DAY],
    graceMs: 3 * DAY,
    finalNoticeBeforeGraceEndMs: 1 * DAY,
  },
  trial: { reminderBeforeEndMs: 3 * DAY },
  sync: { backstopAfterDeadlineMs: 2 * HOUR, backstopRepeatMs: 6 * HOUR },
  idleTimeoutMs: 10 * 60_000,
  seenEventLimit: 200,
  runHistoryLimit: 120,
};

export type BillingPolicyOverrides = {
  [K in keyof BillingPolicy]?: BillingPolicy[K] extends object ? Partial<BillingPolicy[K]> : BillingPolicy[K];
};

export function resolveBillingPolicy(overrides: BillingPolicyOverrides = {}): BillingPolicy {
  const d = DEFAULT_BILLING_POLICY;
  const policy: BillingPolicy = {
    dunning: { ...d.dunning, ...overrides.dunning },
    trial: { ...d.trial, ...overrides.trial },
    sync: { ...d.sync, ...overrides.sync },
    idleTimeoutMs: overrides.idleTimeoutMs ?? d.idleTimeoutMs,
    seenEventLimit: overrides.seenEventLimit ?? d.seenEventLimit,
    runHistoryLimit: overrides.runHistoryLimit ?? d.runHistoryLimit,
  };
  validatePolicy(policy);
  return policy;
}

function validatePolicy(p: BillingPolicy): void {
  const delays = p.dunning.retryDelaysMs;
  if (delays.some((ms, i) => ms <= 0 || (i > 0 && ms <= (delays[i - 1] ?? 0)))) {
    throw new RangeError('dunning retry delays must be positive and strictly increasing');
  }
  const durations = [
    p.dunning.graceMs,
    p.trial.reminderBeforeEndMs,
    p.sync.backstopAfterDeadlineMs,
    p.sync.backstopRepeatMs,
    p.idleTimeoutMs,
  ];
  if (durations.some((ms) => !Number.isFinite(ms) || ms <= 0))
    throw new RangeError('policy durations must be positive');
  if (p.dunning.finalNoticeBeforeGraceEndMs < 0 || p.dunning.finalNoticeBeforeGraceEndMs > p.dunning.graceMs) {
    throw new RangeError('the final notice must fall inside the grace period');
  }
  if (!Number.isInteger(p.seenEventLimit) || p.seenEventLimit < 1)
    throw new RangeError('seenEventLimit must be a positive integer');
  if (!Number.isInteger(p.runHistoryLimit) || p.runHistoryLimit < 1)
    throw new RangeError('runHistoryLimit must be a positive integer');
}
