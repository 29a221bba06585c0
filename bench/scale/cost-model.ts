/**
 * The cost model the benchmarks print (bench/scale.ts per organization-year, bench/storm.ts per renewal and per
 * organization-year): what one unit of work costs in Temporal Cloud Actions and dollars, Stripe API requests
 * against Stripe's rate limits, webhooks, Postgres rows and bytes, and emails, measured in the run; then the
 * same figures scaled to 100,000 and 1,000,000 subscriptions. Sources (read 2026-12-05):
 * - Temporal Cloud Action prices: https://docs.temporal.io/cloud/pricing (docs/evaluate/cloud/pricing.mdx in
 *   temporalio/documentation at 0217b71): $50 per million Actions, volume tiers on Business and above per calendar
 *   month: first 5M $50, next 5M $45, next 10M $40, next 30M $35, next 50M $30, next 100M $25, over 200M ask Sales.
 * - Stripe rate limits: https://docs.stripe.com/rate-limits: live mode 100 requests per second per account (the
 *   global limit), 25 per second per endpoint unless the page says otherwise (each named operation, e.g.
 *   `POST /v1/invoices/:id/pay`, is its own endpoint); sandbox 25 per second.
 */

/** Business-plan pay-as-you-go tiers: [Actions up to (cumulative, per month), dollars per million]. */
export const TEMPORAL_ACTION_TIERS: readonly (readonly [number, number])[] = [
  [5e6, 50],
  [10e6, 45],
  [20e6, 40],
  [50e6, 35],
  [100e6, 30],
  [200e6, 25],
];
export const STRIPE_LIVE_GLOBAL_PER_SECOND = 100;
export const STRIPE_LIVE_ENDPOINT_PER_SECOND = 25;

export interface CostMeasurement {
  /** What one unit is: `organization-year`, `renewal`. */
  unit: string;
  /** How many units the run measured. */
  units: number;
  /** Renewals (paid or attempted cycle invoices) the measured units contain. */
  renewals: number;
  temporalActions: number;
  historyBytes: number;
  /** The service's Stripe API requests in the measured window, per endpoint (`POST /v1/invoices/:id/pay`). */
  stripeRequests: Record<string, number>;
  webhooks: number;
  postgres: { inserted: number; updated: number; deleted: number; bytes: number };
  emails: number;
}

export interface CostOptions {
  /** A flat price per million Actions instead of the published tiers (`--action-price`). */
  actionPricePerMillion?: number;
}

/** Dollars for `actions` Actions in one calendar month: the published tiers, or a flat price. */
export function temporalMonthlyCost(
  actions: number,
  opts: CostOptions = {},
): { dollars: number; beyondTiers: boolean } {
  if (opts.actionPricePerMillion !== undefined)
    return { dollars: (actions / 1e6) * opts.actionPricePerMillion, beyondTiers: false };
  let dollars = 0;
  let from = 0;
  for (const [upTo, price] of TEMPORAL_ACTION_TIERS) {
    const inTier = Math.max(0, Math.min(actions, upTo) - from);
    dollars += (inTier / 1e6) * price;
    from = upTo;
  }
  const beyond = Math.max(0, actions - from);
  // Over 200M a month the page says "contact Sales": priced here at the last published tier.
  dollars += (beyond / 1e6) * (TEMPORAL_ACTION_TIERS[TEMPORAL_ACTION_TIERS.length - 1]?.[1] ?? 25);
  return { dollars, beyondTiers: beyond > 0 };
}

const isWrite = (endpoint: string): boolean => !endpoint.startsWith('GET ');

export interface StripeBudget {
  perRenewal: number;
  writesPerRenewal: number;
  /** The endpoint a renewal calls most, and how often. */
  busiest: [string, number] | null;
  /** Renewals per second one live-mode account allows: the tighter of the global and the per-endpoint limit. */
  renewalsPerSecond: number;
}

export function stripeBudget(m: CostMeasurement): StripeBudget {
  const renewals = Math.max(1, m.renewals);
  const entries = Object.entries(m.stripeRequests);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  const writes = entries.filter(([e]) => isWrite(e)).reduce((n, [, c]) => n + c, 0);
  const busiest = entries.sort((a, b) => b[1] - a[1])[0] ?? null;
  const perRenewal = total / renewals;
  const byGlobal = perRenewal > 0 ? STRIPE_LIVE_GLOBAL_PER_SECOND / perRenewal : Infinity;
  const byEndpoint = busiest ? STRIPE_LIVE_ENDPOINT_PER_SECOND / (busiest[1] / renewals) : Infinity;
  return {
    perRenewal,
    writesPerRenewal: writes / renewals,
    busiest: busiest ? [busiest[0], busiest[1] / renewals] : null,
    renewalsPerSecond: Math.min(byGlobal, byEndpoint),
  };
}

const fmt = (n: number, digits = 1): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '∞';
const money = (n: number): string =>
  n >= 100 ? `$${fmt(n, 0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toPrecision(2)}`;
const kib = (bytes: number): string => `${fmt(bytes / 1024, 1)} KiB`;

/**
 * The cost table: per unit, then on paper for 100,000 and 1,000,000 subscriptions (one unit of
 * `organization-year` per subscription per year; a `renewal` unit is scaled by 12 renewals a year).
 */
export function renderCostModel(m: CostMeasurement, opts: CostOptions = {}): string {
  const per = (n: number): number => n / Math.max(1, m.units);
  const unitsPerSubYear = m.unit === 'renewal' ? 12 : 1;
  const stripe = stripeBudget(m);
  const actionsPerUnit = per(m.temporalActions);
  const flat = opts.actionPricePerMillion;
  const priceNote =
    flat !== undefined
      ? `at a flat $${flat} per million (--action-price)`
      : 'at $50 per million (the first tier, https://docs.temporal.io/cloud/pricing)';
  const rows: [string, string, string][] = [
    [
      'Cost model',
      `per ${m.unit}`,
      `measured over ${fmt(m.units, 0)} ${m.unit}s${m.unit === 'renewal' ? '' : ` (${fmt(m.renewals, 0)} renewals)`}`,
    ],
    [
      'Temporal Cloud Actions',
      `${fmt(actionsPerUnit)} = ${money(temporalMonthlyCost(actionsPerUnit, opts).dollars)}`,
      `counted from the histories (bench/scale/billable-actions.ts), ${priceNote}; history ${kib(per(m.historyBytes))}`,
    ],
    [
      'Stripe API requests',
      `${fmt(per(Object.values(m.stripeRequests).reduce((a, b) => a + b, 0)))} (${fmt(stripe.perRenewal)} per renewal, ${fmt(stripe.writesPerRenewal)} writes)`,
      stripe.busiest
        ? `busiest endpoint ${stripe.busiest[0]} ${fmt(stripe.busiest[1], 2)} per renewal → one live account allows ${fmt(stripe.renewalsPerSecond)} renewals/s (${STRIPE_LIVE_GLOBAL_PER_SECOND}/s global, ${STRIPE_LIVE_ENDPOINT_PER_SECOND}/s per endpoint, https://docs.stripe.com/rate-limits)`
        : 'none counted',
    ],
    ['Stripe webhooks received', fmt(per(m.webhooks)), 'rows stored in stripe_events'],
    [
      'Postgres rows written',
      `${fmt(per(m.postgres.inserted))} inserted, ${fmt(per(m.postgres.updated))} updated, ${fmt(per(m.postgres.deleted))} deleted`,
      `database grew ${kib(per(m.postgres.bytes))} (pg_database_size; tables, indexes, TOAST; coarse at small N)`,
    ],
    ['emails sent', fmt(per(m.emails), 2), 'email_outbox rows sent'],
  ];
  if (unitsPerSubYear !== 1)
    rows.push([
      'per organization-year',
      `${fmt(actionsPerUnit * unitsPerSubYear)} Actions = ${money(temporalMonthlyCost(actionsPerUnit * unitsPerSubYear, opts).dollars)}`,
      `${unitsPerSubYear} × the ${m.unit} above (monthly renewals only: no signup, plan change or cancellation); ${fmt(stripe.perRenewal * unitsPerSubYear)} Stripe requests, ${fmt(per(m.webhooks) * unitsPerSubYear)} webhooks, ${fmt(per(m.postgres.inserted + m.postgres.updated) * unitsPerSubYear)} row writes, ${fmt(per(m.emails) * unitsPerSubYear)} emails`,
    ]);
  for (const subs of [100_000, 1_000_000]) {
    const unitsPerYear = subs * unitsPerSubYear;
    const monthlyActions = (actionsPerUnit * unitsPerYear) / 12;
    const cost = temporalMonthlyCost(monthlyActions, opts);
    const renewalsPerMonth = subs;
    const stormSeconds = renewalsPerMonth / stripe.renewalsPerSecond;
    rows.push([
      `${fmt(subs, 0)} subscriptions`,
      `${fmt(monthlyActions / 1e6, 2)}M Actions/month = ${money(cost.dollars)}/month`,
      `${fmt((per(m.postgres.inserted + m.postgres.updated) * unitsPerYear) / 365 / 86_400, 2)} row writes/s on average, Postgres +${fmt((per(m.postgres.bytes) * unitsPerYear) / 1024 ** 3, 1)} GiB/year, ${fmt((per(m.emails) * unitsPerYear) / 12, 0)} emails/month; all renewing on one day: ${fmt(stormSeconds / 60, 0)} min of Stripe at ${fmt(stripe.renewalsPerSecond)} renewals/s${cost.beyondTiers ? '; over 200M Actions/month Temporal prices by contract (priced here at $25/M)' : ''}`,
    ]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  const line = (r: [string, string, string]): string =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0] as [string, string, string]),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}
