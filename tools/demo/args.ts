import { parseArgs } from 'node:util';
import { z } from 'zod';

export const CHAPTER_KEYS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'wernham', 'vandelay'] as const;
export type ChapterKey = (typeof CHAPTER_KEYS)[number];

export interface DemoOptions {
  /** One renewal instead of two before Acme's upgrade. */
  fast: boolean;
  /** Leave the worker and the API running after the story (the default), so the Temporal UI has something to show. */
  keepRunning: boolean;
  /** Which organizations' chapters to play (default: all). */
  only: ChapterKey[];
  color: boolean;
  /** The billing API to drive; default: the configured public URL. */
  apiUrl: string | undefined;
  /** The mail sink's inbox API. */
  mailUrl: string;
  /** Only check the flags and exit (scripts/demo.sh does this before its set-up, so a typo fails fast). */
  validateOnly: boolean;
  help: boolean;
}

const optionsSchema = z
  .object({
    fast: z.boolean().default(false),
    'keep-running': z.boolean().optional(),
    'no-keep-running': z.boolean().optional(),
    only: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(CHAPTER_KEYS)).min(1, 'name at least one chapter'))
      .optional(),
    'no-color': z.boolean().default(false),
    'api-url': z.url().optional(),
    'mail-url': z.url().default('http://127.0.0.1:1080'),
    'validate-only': z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .refine((o) => !(o['keep-running'] && o['no-keep-running']), {
    message: '--keep-running and --no-keep-running contradict each other',
    path: ['keep-running'],
  });

export const USAGE = `Usage: npm run demo -- [--fast] [--keep-running | --no-keep-running] [--only ${CHAPTER_KEYS.join(',')}] [--no-color] [--api-url URL] [--mail-url URL]

  Plays a billing story for several organizations on the local stack with the Stripe simulator, moving
  each organization through time with its own Stripe test clock, and checks the outcome.

  --fast                one renewal instead of two before Acme's upgrade
  --no-keep-running     stop the demo's worker and API afterwards (default: keep them for exploring)
  --only a,b            play only these organizations' chapters
  --no-color            plain output (also when not on a terminal)
  --api-url, --mail-url where the billing API and the mail sink's inbox answer (scripts/demo.sh sets them)`;

export class DemoArgsError extends Error {}

/** Parses the demo's flags; unknown flags and bad values throw a DemoArgsError naming the flag. */
export function parseDemoArgs(argv: readonly string[], isTty: boolean): DemoOptions {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        fast: { type: 'boolean' },
        'keep-running': { type: 'boolean' },
        'no-keep-running': { type: 'boolean' },
        only: { type: 'string' },
        'no-color': { type: 'boolean' },
        'api-url': { type: 'string' },
        'mail-url': { type: 'string' },
        'validate-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new DemoArgsError(err instanceof Error ? err.message : String(err));
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    throw new DemoArgsError(parsed.error.issues.map((i) => `--${i.path.join('.') || 'args'}: ${i.message}`).join('\n'));
  }
  const o = parsed.data;
  return {
    fast: o.fast,
    keepRunning: !o['no-keep-running'],
    only: o.only ?? [...CHAPTER_KEYS],
    color: isTty && !o['no-color'],
    apiUrl: o['api-url']?.replace(/\/$/, ''),
    mailUrl: o['mail-url'].replace(/\/$/, ''),
    validateOnly: o['validate-only'],
    help: o.help,
  };
}
