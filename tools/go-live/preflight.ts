import Stripe from 'stripe';
import { PLAN_IDS, PLANS } from '../../src/domain/plans';
import {
  ADD_ON_IDS,
  addOnPrice,
  BILLING_INTERVALS,
  overageLookupKey,
  planPrice,
  seatPrice,
} from '../../src/domain/pricing';
import { SUBSCRIBED_EVENT_TYPES } from '../../src/webhooks/handled-events';

/** The service's webhook route; a registered endpoint for it must end with this path. */
export const WEBHOOK_PATH = '/api/v1/billing/webhooks/stripe';

export type Verdict = 'pass' | 'fail' | 'warn' | 'manual';
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
}

export interface EndpointFact {
  id: string;
  url: string;
  status: string;
  enabledEvents: string[];
  /** null: events are rendered in the account's default API version. */
  apiVersion: string | null;
}

/** What the preflight read before anything was created; `judgePreflight` decides on it alone. */
export interface PreflightFacts {
  secretKey: string;
  target: 'stripe' | 'simulator';
  service: { ready: boolean; detail: string };
  pinnedApiVersion: string;
  expectedLookupKeys: readonly string[];
  /** Lookup keys of the active prices found. */
  activeLookupKeys: readonly string[];
  endpoints: readonly EndpointFact[];
  requiredEvents: readonly string[];
  /** The operator says webhooks reach the service through `stripe listen --forward-to` instead of an endpoint. */
  forwarding: boolean;
  tax: { enabled: boolean; status: string | null };
}

/**
 * Every lookup key `catalog-sync` keeps in Stripe: per paid plan and interval its price, seat price, add-on
 * prices and metered overage prices (a plan without a list price, enterprise, has none).
 */
export function catalogLookupKeys(): string[] {
  const keys = new Set<string>();
  for (const plan of PLAN_IDS) {
    for (const interval of BILLING_INTERVALS) {
      const prices = [
        planPrice(plan, interval),
        seatPrice(plan, interval),
        ...ADD_ON_IDS.map((a) => addOnPrice(a, plan, interval)),
      ];
      if (!prices[0]) continue;
      for (const price of prices) if (price) keys.add(price.lookupKey);
      for (const overage of Object.values(PLANS[plan].overage))
        if (overage) keys.add(overageLookupKey(overage.lookupKey, interval));
    }
  }
  return [...keys].sort();
}

export const REQUIRED_EVENTS: readonly string[] = SUBSCRIBED_EVENT_TYPES;

function keyCheck(secretKey: string, target: PreflightFacts['target']): Check {
  const name = 'secret key';
  if (/^(sk|rk)_live_/.test(secretKey))
    return {
      name,
      verdict: 'fail',
      detail:
        'a live-mode key: the go-live check creates customers and charges test cards, so it runs in test mode only',
    };
  if (target === 'stripe' && !/^(sk|rk)_test_/.test(secretKey))
    return { name, verdict: 'fail', detail: 'STRIPE_SECRET_KEY must be a test-mode key (sk_test_… or rk_test_…)' };
  return { name, verdict: 'pass', detail: target === 'stripe' ? 'test mode' : 'the simulator (any key)' };
}

function catalogCheck(f: PreflightFacts): Check {
  const missing = f.expectedLookupKeys.filter((k) => !f.activeLookupKeys.includes(k));
  return missing.length === 0
    ? { name: 'catalog', verdict: 'pass', detail: `${f.expectedLookupKeys.length} active prices by lookup key` }
    : {
        name: 'catalog',
        verdict: 'fail',
        detail: `no active price for ${missing.join(', ')}: run \`npm run catalog:sync\` with this key`,
      };
}

function webhookCheck(f: PreflightFacts): Check {
  const name = 'webhook endpoint';
  const ours = f.endpoints.filter((e) => e.url.endsWith(WEBHOOK_PATH));
  if (ours.length === 0) {
    if (f.forwarding)
      return {
        name,
        verdict: 'manual',
        detail: `no endpoint registered; webhooks are expected through \`stripe listen --forward-to <api>${WEBHOOK_PATH}\` (--forwarding): keep it running, and put the whsec_ it prints in the service's STRIPE_WEBHOOK_SECRET`,
      };
    return {
      name,
      verdict: 'fail',
      detail: `no webhook endpoint ends with ${WEBHOOK_PATH}: register one (Dashboard → Developers → Webhooks) or forward with \`stripe listen\` and pass --forwarding`,
    };
  }
  const enabled = ours.filter((e) => e.status === 'enabled');
  if (enabled.length === 0)
    return {
      name,
      verdict: 'fail',
      detail: `${ours.map((e) => e.id).join(', ')} ${ours.length > 1 ? 'are' : 'is'} disabled`,
    };
  if (enabled.length > 1)
    return {
      name,
      verdict: 'warn',
      detail: `${enabled.length} enabled endpoints for the service (${enabled.map((e) => e.url).join(', ')}): every event arrives once per endpoint`,
    };
  const [endpoint] = enabled as [EndpointFact];
  const missing = endpoint.enabledEvents.includes('*')
    ? []
    : f.requiredEvents.filter((t) => !endpoint.enabledEvents.includes(t));
  if (missing.length > 0)
    return { name, verdict: 'fail', detail: `${endpoint.id} does not send ${missing.join(', ')}` };
  if (endpoint.apiVersion !== null && endpoint.apiVersion !== f.pinnedApiVersion)
    return {
      name,
      verdict: 'fail',
      detail: `${endpoint.id} renders events in API version ${endpoint.apiVersion}; the service reads ${f.pinnedApiVersion}`,
    };
  return {
    name,
    verdict: endpoint.apiVersion === null ? 'warn' : 'pass',
    detail:
      endpoint.apiVersion === null
        ? `${endpoint.url} uses the account's default API version, which this check cannot read: make sure it is ${f.pinnedApiVersion} (Dashboard → Developers → API version) or recreate the endpoint with api_version ${f.pinnedApiVersion}`
        : `${endpoint.url}, API version ${endpoint.apiVersion}, ${endpoint.enabledEvents.includes('*') ? 'every event' : `${endpoint.enabledEvents.length} event types`}`,
  };
}

function taxCheck(f: PreflightFacts): Check | null {
  if (!f.tax.enabled) return null;
  return f.tax.status === 'active'
    ? { name: 'Stripe Tax', verdict: 'pass', detail: 'tax settings active' }
    : {
        name: 'Stripe Tax',
        verdict: 'fail',
        detail: `STRIPE_TAX=1 but Stripe Tax settings are ${f.tax.status ?? 'unreadable'}: add a head office address and registrations (Dashboard → Tax)`,
      };
}

/** What only a person can check in the Dashboard: the API does not expose these settings. */
export const MANUAL_CHECKLIST: readonly Check[] = [
  {
    name: 'automatic retries',
    verdict: 'manual',
    detail:
      "Billing → Revenue recovery → Retries: off (Smart Retries too). The service's workflow owns the retry timetable; Stripe's own retries would charge on a second schedule",
  },
  {
    name: 'Stripe customer emails',
    verdict: 'manual',
    detail:
      'Settings → Billing → Customer emails: failed-payment and receipt emails off, or customers get two of each (the service sends its own)',
  },
  {
    name: 'subscription status after retries',
    verdict: 'manual',
    detail:
      'Billing → Revenue recovery: "leave the subscription past due" — the service cancels after its own grace period',
  },
  {
    name: '3-D Secure rules',
    verdict: 'manual',
    detail:
      'Radar rules for 3-D Secure as your bank and region need (the SCA journeys use Stripe’s test cards, which ignore rules)',
  },
];

/** Decides, from facts alone, whether the account and the service are ready for the journeys. */
export function judgePreflight(f: PreflightFacts): Check[] {
  const checks: Check[] = [
    keyCheck(f.secretKey, f.target),
    {
      name: 'billing service',
      verdict: f.service.ready ? 'pass' : 'fail',
      detail: f.service.detail,
    },
    catalogCheck(f),
  ];
  checks.push(
    f.target === 'simulator'
      ? {
          name: 'webhook endpoint',
          verdict: 'pass',
          detail: 'the service registers its endpoint with the simulator itself',
        }
      : webhookCheck(f),
  );
  const tax = taxCheck(f);
  if (tax) checks.push(tax);
  if (f.target === 'stripe') checks.push(...MANUAL_CHECKLIST);
  return checks;
}

export const preflightPasses = (checks: readonly Check[]): boolean => checks.every((c) => c.verdict !== 'fail');

/** Reads the facts through Stripe's public API and the service's readiness endpoint; creates nothing. */
export async function gatherFacts(
  stripe: Stripe,
  opts: { secretKey: string; target: PreflightFacts['target']; apiUrl: string; forwarding: boolean; tax: boolean },
): Promise<PreflightFacts> {
  const expectedLookupKeys = catalogLookupKeys();
  const service = await fetch(`${opts.apiUrl}/readyz`).then(
    async (res) => ({
      ready: res.ok,
      detail: res.ok
        ? `${opts.apiUrl} ready`
        : `${opts.apiUrl}/readyz answered ${res.status}: ${(await res.text()).slice(0, 200)}`,
    }),
    (err: unknown) => ({
      ready: false,
      detail: `${opts.apiUrl} unreachable: ${err instanceof Error ? err.message : String(err)}`,
    }),
  );
  const activeLookupKeys: string[] = [];
  // Stripe accepts at most 10 lookup keys per list call.
  for (let i = 0; i < expectedLookupKeys.length; i += 10) {
    const page = await stripe.prices.list({
      lookup_keys: expectedLookupKeys.slice(i, i + 10),
      active: true,
      limit: 100,
    });
    for (const price of page.data) if (price.lookup_key) activeLookupKeys.push(price.lookup_key);
  }
  const endpoints: EndpointFact[] = [];
  if (opts.target === 'stripe') {
    for await (const e of stripe.webhookEndpoints.list({ limit: 100 }))
      endpoints.push({
        id: e.id,
        url: e.url,
        status: e.status,
        enabledEvents: e.enabled_events,
        apiVersion: e.api_version,
      });
  }
  let taxStatus: string | null = null;
  if (opts.tax) {
    taxStatus = await stripe.tax.settings.retrieve().then(
      (s) => s.status,
      () => null,
    );
  }
  return {
    secretKey: opts.secretKey,
    target: opts.target,
    service,
    // The service pins the SDK's API version (src/stripe/client.ts).
    pinnedApiVersion: Stripe.API_VERSION,
    expectedLookupKeys,
    activeLookupKeys,
    endpoints,
    requiredEvents: REQUIRED_EVENTS,
    forwarding: opts.forwarding,
    tax: { enabled: opts.tax, status: taxStatus },
  };
}
