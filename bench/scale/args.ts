import type { z } from 'zod';

/**
 * `--name value` flags (a flag with no value is `true`) validated by a strict zod schema: an unknown flag, a
 * stray argument or a bad value is an error naming the flag.
 */
export function parseFlags<S extends z.ZodType>(schema: S, argv: readonly string[]): z.infer<S> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const name = argv[i] ?? '';
    if (!name.startsWith('--')) throw new Error(`unexpected argument "${name}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) raw[name.slice(2)] = 'true';
    else {
      raw[name.slice(2)] = next;
      i += 1;
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      parsed.error.issues.map((i) => `${i.path.length ? `--${i.path.join('.')}: ` : ''}${i.message}`).join('; '),
    );
  return parsed.data;
}
