import type Stripe from 'stripe';
import { ApiCallError, createApiClient, type ApiClient, type SubscriptionState } from '../../tools/demo/api-client';
import { DAY_MS, OrgClock } from '../../tools/demo/clock-driver';
import { HOUR_MS } from '../../tools/demo/story/common-steps';
import { signUserToken } from '../../tools/demo/tokens';
import type { ReadModelRow, ReadModelWatch } from './read-model-watch';
import type { InboxQuiet } from './inbox-quiet';
import type { RunCloseWatch } from './run-close-watch';

export type Scenario = 'renew' | 'upgrade' | 'recover' | 'lose' | 'cancel';

/** Out of every 20 organizations: 14 renew all year, 2 upgrade, 1 fails then recovers, 1 fails and is lost, 2 cancel. */
const MIX: Scenario[] = [
  ...Array<Scenario>(14).fill('renew'),
  'upgrade',
  'upgrade',
  'recover',
  'lose',
  'cancel',
  'cancel',
];
export const MIX_SHARE: Record<Scenario, number> = { renew: 0.7, upgrade: 0.1, recover: 0.05, lose: 0.05, cancel: 0.1 };

export interface Org {
  index: number;
  organizationId: string;
  email: string;
  scenario: Scenario;
  startPlan: 'starter' | 'professional';
  api: ApiClient;
  clock: OrgClock;
}

/** What the organization's year must have left behind; the invariant check compares both sides with it. */
export interface Expected {
  status: 'active' | 'canceled';
  plan: string;
  paidCycles: number;
  paidProrations: number;
  uncollectible: number;
}

export interface YearPlan {
  months: number;
  failMonth: number;
  upgradeMonth: number;
  cancelMonth: number;
}

export function yearPlan(months: number): YearPlan {
  return {
    months,
    failMonth: Math.min(3, months),
    upgradeMonth: Math.min(4, months),
    cancelMonth: Math.min(6, months),
  };
}

export async function buildPopulation(opts: {
  orgs: number;
  runId: string;
  apiUrl: string;
  jwtSecret: string;
  stripe: Stripe;
}): Promise<Org[]> {
  return Promise.all(
    Array.from({ length: opts.orgs }, async (_, index) => {
      const organizationId = `scale-${opts.runId}-${String(index).padStart(5, '0')}`;
      const email = `billing@${organizationId}.example`;
      const scenario = MIX[index % MIX.length] ?? 'renew';
      const startPlan = scenario === 'renew' && index % 3 === 0 ? 'professional' : 'starter';
      const token = await signUserToken(opts.jwtSecret, { organizationId, email });
      return {
        index,
        organizationId,
        email,
        scenario,
        startPlan,
        api: createApiClient(opts.apiUrl, token),
        clock: new OrgClock(opts.stripe, email),
      };
    }),
  );
}

export function expectedOutcome(org: Org, plan: YearPlan): Expected {
  switch (org.scenario) {
    case 'renew':
      return { status: 'active', plan: org.startPlan, paidCycles: plan.months, paidProrations: 0, uncollectible: 0 };
    case 'upgrade':
      return { status: 'active', plan: 'professional', paidCycles: plan.months, paidProrations: 1, uncollectible: 0 };
    case 'recover':
      return { status: 'active', plan: org.startPlan, paidCycles: plan.months, paidProrations: 0, uncollectible: 0 };
    case 'lose':
      return {
        status: 'canceled',
        plan: org.startPlan,
        paidCycles: plan.failMonth - 1,
        paidProrations: 0,
        uncollectible: 1,
      };
    case 'cancel':
      return {
        status: 'canceled',
        plan: org.startPlan,
        paidCycles: plan.cancelMonth,
        paidProrations: 0,
        uncollectible: 0,
      };
  }
}

/** A counting semaphore: at most `size` organizations are in the middle of a step at once. */
export function createLimiter(size: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= size) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      queue.shift()?.();
    }
  };
}
export type Limiter = ReturnType<typeof createLimiter>;

export interface LifeDeps {
  watch: ReadModelWatch;
  /** The next month starts once the run that saw this month's renewal has closed, as it would in real time. */
  runs: RunCloseWatch;
  /** The clock moves only once the webhooks of the organization's last step have been handled. */
  quiet: InboxQuiet;
  limit: Limiter;
  plan: YearPlan;
  /** Called after each month an organization completes (progress). */
  onMonth: (org: Org, month: number) => void;
  counters: { advances: number };
}

const RETRY_AFTER_MS = 5_000;

/**
 * Subscribes as a careful frontend does: a 503 (the update outlived Temporal's RPC deadline on a busy
 * machine) is retried after Retry-After with the same Idempotency-Key, which reaches the same update.
 */
async function subscribeRetrying(org: Org, card: string, attempts = 10): Promise<SubscriptionState> {
  const key = `scale-subscribe-${org.organizationId}`;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await org.api.subscribe(org.startPlan, card, key);
    } catch (err) {
      if (!(err instanceof ApiCallError && err.status === 503) || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
    }
  }
}

const activePast =
  (t: number) =>
  (r: ReadModelRow): boolean =>
    r.status === 'active' && (r.currentPeriodEnd ?? 0) > t;

/**
 * One organization's year through the real API and its own Stripe test clock: subscribe with a trial,
 * then period after period move Stripe past the period end and wait until the read model shows the
 * renewal; the scenario adds its upgrade, failing card or cancellation on the way.
 */
export async function liveYear(org: Org, deps: LifeDeps): Promise<void> {
  const { watch, runs, limit, plan } = deps;
  const card = 'pm_card_visa';
  let subscribedOnly = true;
  const advanceTo = async (ms: number): Promise<void> => {
    await deps.quiet(org.organizationId, `moving the clock to ${new Date(ms).toISOString()}`, {
      afterSubscribe: subscribedOnly,
    });
    subscribedOnly = false;
    deps.counters.advances += 1;
    return org.clock.advanceTo(ms);
  };
  const subscribed = await limit(async () => {
    const state = await subscribeRetrying(org, card);
    await org.clock.attach();
    await runs.remember(org.organizationId);
    return state;
  });
  const trialEnd = Date.parse(subscribed.subscription?.trialEnd ?? '');
  if (Number.isNaN(trialEnd))
    throw new Error(
      `${org.organizationId}: no trial end after subscribing (${JSON.stringify(subscribed.subscription)})`,
    );
  let periodEnd = trialEnd;

  for (let month = 1; month <= plan.months; month += 1) {
    const failing = (org.scenario === 'recover' || org.scenario === 'lose') && month === plan.failMonth;
    if (failing) await limit(() => org.api.updatePaymentMethod('pm_card_chargeCustomerFail'));
    const target = periodEnd + HOUR_MS;
    if (!failing) {
      const row = await limit(async () => {
        await advanceTo(target);
        return watch.until(org.organizationId, `period ${month} paid and active`, activePast(target));
      });
      periodEnd = row.currentPeriodEnd ?? periodEnd;
    } else if (org.scenario === 'lose') {
      await limit(async () => {
        await advanceTo(target);
        await watch.until(
          org.organizationId,
          `past_due after the declined charge of period ${month}`,
          (r) => r.status === 'past_due',
        );
      });
      // Retries and the grace period run on Temporal's clock (the demo profile: seconds), no permit held.
      await watch.until(org.organizationId, 'canceled after dunning and grace', (r) => r.status === 'canceled');
      deps.onMonth(org, month);
      return;
    } else {
      // The customer fixes the card as soon as the failure shows, in the same step: under the demo profile
      // dunning and grace last ~30 s of Temporal time, so waiting for a fresh permit behind `--concurrency`
      // other steps would let grace end first (the bench's pacing, not the service). A card update that
      // still arrives too late fails this organization's year with the time it took.
      const row = await limit(async () => {
        await advanceTo(target);
        await watch.until(
          org.organizationId,
          `past_due after the declined charge of period ${month}`,
          (r) => r.status === 'past_due',
        );
        await runs.settled(org.organizationId, `the declined renewal of period ${month}`);
        const seen = Date.now();
        const result = await org.api.updatePaymentMethod(card).catch((err: unknown) => {
          throw new Error(
            `${org.organizationId}: card update ${((Date.now() - seen) / 1000).toFixed(1)} s after past_due was seen failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        });
        if (result.retry !== 'paid')
          throw new Error(`${org.organizationId}: retry with a good card answered ${result.retry}`);
        return watch.until(org.organizationId, `active again after recovery in period ${month}`, activePast(target));
      });
      periodEnd = row.currentPeriodEnd ?? periodEnd;
    }
    if (org.scenario === 'upgrade' && month === plan.upgradeMonth) {
      await limit(async () => {
        await advanceTo(org.clock.now + 10 * DAY_MS);
        await org.api.changePlan('professional');
        await watch.until(
          org.organizationId,
          'on professional after the upgrade',
          (r) => r.plan === 'professional' && r.status === 'active',
        );
      });
    }
    if (org.scenario === 'cancel' && month === plan.cancelMonth) {
      await limit(async () => {
        await advanceTo(org.clock.now + 5 * DAY_MS);
        const state = await org.api.cancel(false);
        if (!state.subscription?.cancelAtPeriodEnd)
          throw new Error(
            `${org.organizationId}: cancel at period end not recorded (${JSON.stringify(state.subscription)})`,
          );
        await advanceTo(periodEnd + HOUR_MS);
        await watch.until(org.organizationId, 'canceled at the period end', (r) => r.status === 'canceled');
      });
      deps.onMonth(org, month);
      return;
    }
    deps.onMonth(org, month);
  }
}
