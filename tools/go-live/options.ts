import { parseArgs } from 'node:util';
import { z } from 'zod';
import { JOURNEYS } from './journeys';

export interface GoLiveOptions {
  secretKey: string;
  /** Unset: api.stripe.com. Set: the simulator (or another Stripe-compatible URL). */
  stripeApiUrl: string | undefined;
  apiUrl: string;
  jwtSecret: string;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  usageToken: string | undefined;
  forwarding: boolean;
  tax: boolean;
  only: string[];
  concurrency: number;
  reportFile: string;
  keep: boolean;
}

export const USAGE = `Usage: npm run test:stripe -- [--only a,b] [--concurrency N] [--report FILE] [--forwarding] [--keep]

  Runs the customer journeys through the billing API against the Stripe account STRIPE_SECRET_KEY opens
  (test mode only) — or the simulator when STRIPE_API_URL is set — after a read-only preflight of the
  account, then deletes every customer and test clock it created.

  --only a,b        journeys to run (${JOURNEYS.map((j) => j.name).join(', ')})
  --concurrency N   journeys at a time, 1-8 (default 3; Stripe test mode allows about 25 requests per second)
  --report FILE     where the JSON report goes (default go-live-report.json)
  --forwarding      webhooks reach the service through \`stripe listen --forward-to\`, not a registered endpoint
  --keep            leave what the run created (to look at it in the Dashboard)

  Environment: STRIPE_SECRET_KEY (sk_test_… / rk_test_…), STRIPE_API_URL (simulator only),
  BILLING_API_URL (default http://127.0.0.1:3000), JWT_SECRET (the service's, to sign user tokens as your
  identity provider would) with JWT_ISSUER / JWT_AUDIENCE if the service checks them, GO_LIVE_USAGE_TOKEN
  (one of the service's USAGE_SERVICE_TOKENS; without it the usage journey is skipped), STRIPE_TAX=1 when the
  service runs with Stripe Tax.`;

export class GoLiveArgsError extends Error {}

const envSchema = z
  .object({
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_API_URL: z.url().optional(),
    BILLING_API_URL: z.url().default('http://127.0.0.1:3000'),
    JWT_SECRET: z.string().min(32, 'must be the service JWT secret (at least 32 characters)'),
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    GO_LIVE_USAGE_TOKEN: z.string().min(16).optional(),
    STRIPE_TAX: z.enum(['0', '1']).default('0'),
  })
  .refine((e) => e.STRIPE_API_URL || e.STRIPE_SECRET_KEY, {
    message: 'STRIPE_SECRET_KEY is required (a test-mode key of the account to check)',
    path: ['STRIPE_SECRET_KEY'],
  });

const argsSchema = z.object({
  only: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(JOURNEYS.map((j) => j.name) as [string, ...string[]])).min(1))
    .optional(),
  concurrency: z.coerce.number().int().min(1).max(8).default(3),
  report: z.string().min(1).default('go-live-report.json'),
  forwarding: z.boolean().default(false),
  keep: z.boolean().default(false),
  help: z.boolean().default(false),
});

const issues = (e: z.ZodError, prefix: string): string =>
  e.issues.map((i) => `${prefix}${i.path.join('.')}: ${i.message}`).join('\n');

/** Flags and environment, validated; a bad value throws a GoLiveArgsError naming it. Null: --help. */
export function parseGoLiveOptions(argv: readonly string[], env: NodeJS.ProcessEnv): GoLiveOptions | null {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        only: { type: 'string' },
        concurrency: { type: 'string' },
        report: { type: 'string' },
        forwarding: { type: 'boolean' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new GoLiveArgsError(err instanceof Error ? err.message : String(err));
  }
  const args = argsSchema.safeParse(values);
  if (!args.success) throw new GoLiveArgsError(issues(args.error, '--'));
  if (args.data.help) return null;
  const e = envSchema.safeParse(env);
  if (!e.success) throw new GoLiveArgsError(issues(e.error, ''));
  return {
    secretKey: e.data.STRIPE_SECRET_KEY ?? 'sk_test_simulator',
    stripeApiUrl: e.data.STRIPE_API_URL?.replace(/\/$/, ''),
    apiUrl: e.data.BILLING_API_URL.replace(/\/$/, ''),
    jwtSecret: e.data.JWT_SECRET,
    jwtIssuer: e.data.JWT_ISSUER,
    jwtAudience: e.data.JWT_AUDIENCE,
    usageToken: e.data.GO_LIVE_USAGE_TOKEN,
    forwarding: args.data.forwarding,
    tax: e.data.STRIPE_TAX === '1',
    only: args.data.only ?? [],
    concurrency: args.data.concurrency,
    reportFile: args.data.report,
    keep: args.data.keep,
  };
}
