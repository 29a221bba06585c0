import { z } from 'zod';
import { createStripeSimulator } from './index';

const argsSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65_535).default(12_211),
  host: z.string().min(1).default('127.0.0.1'),
  'state-file': z.string().min(1).optional(),
  'webhook-secret': z
    .string()
    .regex(/^whsec_\w+$/, 'must look like whsec_...')
    .optional(),
  'webhook-max-in-flight': z.coerce.number().int().min(1).max(10_000).optional(),
});

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new Error(`--${name} needs a value`);
    if (inline === undefined) i += 1;
    out[name] = value;
  }
  return out;
}

async function main(): Promise<void> {
  let args: z.output<typeof argsSchema>;
  try {
    const parsed = argsSchema.safeParse(parseArgs(process.argv.slice(2)));
    if (!parsed.success)
      throw new Error(
        parsed.error.issues
          .map((i) => `${i.path.length ? `--${i.path.join('.')}` : ''} ${i.message}`.trim())
          .join('; '),
      );
    args = parsed.data;
  } catch (error) {
    console.error(`stripe-sim: ${error instanceof Error ? error.message : String(error)}`);
    console.error(
      'usage: tsx tools/stripe-sim/main.ts [--port 12211] [--host 127.0.0.1] [--state-file path.json] [--webhook-secret whsec_...] [--webhook-max-in-flight N]',
    );
    process.exit(2);
  }
  const simulator = createStripeSimulator({
    host: args.host,
    stateFile: args['state-file'],
    webhookSecret: args['webhook-secret'],
    ...(args['webhook-max-in-flight'] !== undefined && {
      webhooks: { maxInFlight: args['webhook-max-in-flight'] },
    }),
  });
  const { url } = await simulator.listen(args.port);
  console.log(`stripe-sim listening on ${url} (state: ${args['state-file'] ?? 'memory'})`);
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main().catch((error: unknown) => {
  console.error('stripe-sim failed to start:', error);
  process.exit(1);
});
