import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './command';

/**
 * Parses `--name value` options with node's parser, then validates them with a zod schema, so every
 * command rejects unknown flags, missing values and malformed ones with a message naming the flag.
 */
export function parseOptions<S extends z.ZodObject>(argv: string[], schema: S, booleans: string[] = []): z.infer<S> {
  const options = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [
      name,
      { type: booleans.includes(name) ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

export const organizationId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an organization id (1-64 of [A-Za-z0-9_-])');
