import { currentDetails, timerSummary } from '../../../../src/domain/subscription';

const at = (iso: string) => Date.parse(iso);
const base = {
  status: 'active' as const,
  plan: 'professional' as const,
  cancelAtPeriodEnd: false,
  currentPeriodEnd: at('2027-01-01T00:00:00Z'),
  trialEnd: null,
  dunning: null,
  pendingUpgrade: null,
  pause: null,
};

describe('what the Temporal UI shows an operator', () => {
  test('a healthy subscription: status, plan and the renewal', () => {
    expect(currentDetails(base)).toBe('active · professional · renews 2027-01-01');
    expect(timerSummary({ kind: 'backstop', at: 0 }, base)).toMatch(/^backstop: sync from Stripe/);
  });

  test('a trial, a cancellation at period end and a pause', () => {
    expect(currentDetails({ ...base, status: 'trialing', trialEnd: at('2026-12-19T08:00:00Z') })).toBe(
      'trialing · professional · trial ends 2026-12-19 · renews 2027-01-01',
    );
    expect(currentDetails({ ...base, cancelAtPeriodEnd: true })).toBe('active · professional · ends 2027-01-01');
    expect(
      currentDetails({ ...base, status: 'paused', pause: { resumesAt: at('2027-02-01T00:00:00Z') } as never }),
    ).toContain('resumes 2027-02-01');
    expect(timerSummary(undefined, { ...base, status: 'none' as never })).toMatch(/^idle/);
  });

  test('dunning: the retry number and date, the end of grace; the timer names the retry', () => {
    const dunning = {
      schedule: {
        retryAt: [at('2026-12-02T00:00:00Z'), at('2026-12-04T00:00:00Z')],
        graceEndsAt: at('2026-12-07T00:00:00Z'),
        finalNoticeAt: at('2026-12-06T00:00:00Z'),
      },
      scheduledRetriesDone: 1,
      nextRetryAt: at('2026-12-04T00:00:00Z'),
      action: null,
    } as never;
    const s = { ...base, status: 'past_due' as const, dunning };
    expect(currentDetails(s)).toBe(
      'past_due · professional · retry 2 of 2 on 2026-12-04 00:00 UTC · grace ends 2026-12-07',
    );
    expect(timerSummary({ kind: 'dunningRetry', at: 0 }, s)).toBe('dunning retry 2 of 2');
    expect(timerSummary({ kind: 'graceEnd', at: 0 }, s)).toMatch(/^end of grace/);
  });
});
