import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { createApiClient, ApiCallError } from '../demo/api-client';
import { OrgClock } from '../demo/clock-driver';
import { signUserToken } from '../demo/tokens';
import { gatherFacts, judgePreflight, preflightPasses, type Check } from './preflight';
import { JOURNEYS, Skip, type Budgets, type JourneyContext } from './journeys';
import type { GoLiveOptions } from './options';

export interface JourneyResult {
  name: string;
  title: string;
  outcome: 'passed' | 'failed' | 'skipped';
  detail: string;
  durationMs: number;
  organizationId: string;
  /** The last Stripe request ids of the journey and the API's request id of a failed call: what support asks for. */
  requestIds: { stripe: string[]; api: string[] };
}

export interface GoLiveReport {
  target: 'stripe' | 'simulator';
  stripeApiUrl: string;
  apiUrl: string;
  startedAt: string;
  preflight: Check[];
  journeys: JourneyResult[];
  cleanup: { testClocksDeleted: number; customersDeleted: number; errors: string[] };
  ok: boolean;
}

const BUDGETS: Record<GoLiveReport['target'], Budgets> = {
  simulator: { clockMs: 60_000, settleMs: 45_000 },
  // Test clock advances take seconds to minutes on Stripe; invoices finalize about an hour of clock time later.
  stripe: { clockMs: 10 * 60_000, settleMs: 3 * 60_000 },
};

/** The official SDK for the operator's account: retries Stripe's 429s with backoff (test mode allows ~25 req/s). */
export function stripeFor(opts: GoLiveOptions): Stripe {
  const target = opts.stripeApiUrl ? new URL(opts.stripeApiUrl) : null;
  const protocol = target?.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(opts.secretKey, {
    apiVersion: Stripe.API_VERSION,
    maxNetworkRetries: 5,
    telemetry: false,
    appInfo: { name: 'billing-service-go-live' },
    ...(target && { host: target.hostname, port: Number(target.port) || (protocol === 'http' ? 80 : 443), protocol }),
  });
}

/** Everything the run created in Stripe, found by the customers' emails: deleted at the end, also after a failure. */
class Created {
  private readonly emails = new Set<string>();
  add(email: string): void {
    this.emails.add(email);
  }
  async cleanup(stripe: Stripe): Promise<GoLiveReport['cleanup']> {
    const result: GoLiveReport['cleanup'] = { testClocksDeleted: 0, customersDeleted: 0, errors: [] };
    for (const email of this.emails) {
      try {
        for (const customer of (await stripe.customers.list({ email, limit: 10 })).data) {
          const clock = customer.test_clock;
          if (clock) {
            // Deleting a test clock deletes its customers and their subscriptions with it.
            await stripe.testHelpers.testClocks.del(typeof clock === 'string' ? clock : clock.id);
            result.testClocksDeleted++;
          } else {
            await stripe.customers.del(customer.id);
            result.customersDeleted++;
          }
        }
      } catch (err) {
        result.errors.push(`${email}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return result;
  }
}

async function runJourney(
  journey: (typeof JOURNEYS)[number],
  opts: GoLiveOptions,
  target: GoLiveReport['target'],
  created: Created,
  runId: string,
): Promise<JourneyResult> {
  const organizationId = `golive-${journey.name}-${runId}`;
  const email = `billing+${organizationId}@go-live.example`;
  created.add(email);
  const stripe = stripeFor(opts);
  const stripeIds: string[] = [];
  stripe.on('response', (e: Stripe.ResponseEvent) => {
    stripeIds.push(e.request_id);
    if (stripeIds.length > 5) stripeIds.shift();
  });
  const token = await signUserToken(opts.jwtSecret, {
    organizationId,
    email,
    issuer: opts.jwtIssuer,
    audience: opts.jwtAudience,
  });
  const budgets = BUDGETS[target];
  const ctx: JourneyContext = {
    org: { organizationId, email },
    api: createApiClient(opts.apiUrl, token),
    clock: new OrgClock(stripe, email, budgets.clockMs),
    stripe,
    budgets,
    apiUrl: opts.apiUrl,
    usageToken: opts.usageToken,
    async challenge(paymentIntentId, hostedInvoiceUrl) {
      if (target === 'stripe')
        throw new Skip(
          `3-D Secure needs a person on real Stripe: complete the challenge at ${hostedInvoiceUrl ?? `the PaymentIntent ${paymentIntentId}`} and check the subscription turns active`,
        );
      // The simulator's stand-in for Stripe's test challenge page (the only non-/v1 path the run uses).
      const res = await fetch(`${opts.stripeApiUrl}/_sim/payment_intents/${paymentIntentId}/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'succeed' }),
      });
      if (!res.ok) throw new Error(`the simulator's challenge for ${paymentIntentId} answered ${res.status}`);
    },
  };
  const started = Date.now();
  const result = (outcome: JourneyResult['outcome'], detail: string, apiIds: string[] = []): JourneyResult => ({
    name: journey.name,
    title: journey.title,
    outcome,
    detail,
    durationMs: Date.now() - started,
    organizationId,
    requestIds: { stripe: outcome === 'failed' ? [...stripeIds] : [], api: apiIds },
  });
  try {
    return result('passed', await journey.run(ctx));
  } catch (err) {
    if (err instanceof Skip) return result('skipped', err.message);
    const apiIds = err instanceof ApiCallError && err.requestId ? [err.requestId] : [];
    const stripeId = err instanceof Stripe.errors.StripeError && err.requestId ? err.requestId : null;
    if (stripeId && !stripeIds.includes(stripeId)) stripeIds.push(stripeId);
    return result('failed', err instanceof Error ? err.message : String(err), apiIds);
  }
}

/** Runs `fn` over `items` with at most `limit` at once, keeping the order of results. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function runGoLive(
  opts: GoLiveOptions,
  write: (line: string) => void,
  signal?: AbortSignal,
): Promise<GoLiveReport> {
  const target: GoLiveReport['target'] = opts.stripeApiUrl ? 'simulator' : 'stripe';
  const stripe = stripeFor(opts);
  const report: GoLiveReport = {
    target,
    stripeApiUrl: opts.stripeApiUrl ?? 'https://api.stripe.com',
    apiUrl: opts.apiUrl,
    startedAt: new Date().toISOString(),
    preflight: [],
    journeys: [],
    cleanup: { testClocksDeleted: 0, customersDeleted: 0, errors: [] },
    ok: false,
  };
  write(
    `Go-live check against ${target === 'stripe' ? 'Stripe (test mode)' : `the simulator at ${opts.stripeApiUrl}`}, service ${opts.apiUrl}\n`,
  );
  report.preflight = judgePreflight(
    await gatherFacts(stripe, {
      secretKey: opts.secretKey,
      target,
      apiUrl: opts.apiUrl,
      forwarding: opts.forwarding,
      tax: opts.tax,
    }),
  );
  write('Preflight (reads only):');
  for (const c of report.preflight) write(`  ${MARK[c.verdict]} ${c.name}: ${c.detail}`);
  if (!preflightPasses(report.preflight)) {
    write('\n✗ preflight failed: nothing was created');
    return report;
  }

  const journeys = JOURNEYS.filter((j) => opts.only.length === 0 || opts.only.includes(j.name));
  const created = new Created();
  const runId = randomUUID().slice(0, 8);
  write(`\nJourneys (${journeys.length}, ${opts.concurrency} at a time):`);
  try {
    report.journeys = await pool(journeys, opts.concurrency, async (j) => {
      if (signal?.aborted)
        return {
          name: j.name,
          title: j.title,
          outcome: 'skipped' as const,
          detail: 'interrupted',
          durationMs: 0,
          organizationId: '',
          requestIds: { stripe: [], api: [] },
        };
      const r = await runJourney(j, opts, target, created, runId);
      write(`  ${MARK[r.outcome]} ${r.name} (${(r.durationMs / 1000).toFixed(0)} s): ${r.detail}`);
      if (r.outcome === 'failed')
        write(
          `      request ids: Stripe ${r.requestIds.stripe.join(', ') || '—'} · API ${r.requestIds.api.join(', ') || '—'}`,
        );
      return r;
    });
  } finally {
    if (opts.keep) write('\n--keep: the customers and test clocks it created are left in place');
    else {
      report.cleanup = await created.cleanup(stripe);
      write(
        `\nCleanup: ${report.cleanup.testClocksDeleted} test clock(s) and ${report.cleanup.customersDeleted} customer(s) deleted${report.cleanup.errors.length ? `, ${report.cleanup.errors.length} error(s): ${report.cleanup.errors.join('; ')}` : ''}`,
      );
    }
  }
  const count = (o: JourneyResult['outcome']) => report.journeys.filter((j) => j.outcome === o).length;
  report.ok = count('failed') === 0 && report.cleanup.errors.length === 0;
  write(`\n${report.ok ? '✓' : '✗'} ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return report;
}

const MARK = { pass: '✓', passed: '✓', fail: '✗', failed: '✗', warn: '!', manual: '☐', skipped: '–' } as const;
