import { z } from 'zod';
import type { FormObject } from './form';
import { invalidRequest } from './errors';

/** Form values arrive as strings; these schemas coerce them the way Stripe's API does. */
export const formInt = z
  .string()
  .regex(/^-?\d+$/, 'Invalid integer')
  .transform(Number);
export const formBool = z.enum(['true', 'false']).transform((v) => v === 'true');
/** `metadata[key]=` (empty) unsets a key, so values may be empty strings. */
export const formMetadata = z.union([z.literal(''), z.record(z.string(), z.string())]);
export const formExpand = z.array(z.string());
export const formTimestamp = formInt;

export const listParams = {
  limit: formInt.pipe(z.number().int().min(1).max(100)).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand: formExpand.optional(),
};

export const rangeFilter = z.union([
  formInt,
  z.strictObject({ gt: formInt.optional(), gte: formInt.optional(), lt: formInt.optional(), lte: formInt.optional() }),
]);

function paramName(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((p) => `[${p}]`).join('')}`;
}

/**
 * Validate a request against its endpoint schema. Unknown parameters are rejected the way Stripe
 * rejects them, so a request the simulator silently ignored can never make a test pass.
 */
export function parseParams<S extends z.ZodType>(schema: S, params: FormObject): z.output<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest('Invalid request');
  if (issue.code === 'unrecognized_keys') {
    const key = paramName([...issue.path, issue.keys[0] ?? '']);
    throw invalidRequest(
      `Received unknown parameter: ${key} (not implemented by the simulator, or not a Stripe parameter)`,
      key,
      'parameter_unknown',
    );
  }
  const param = paramName(issue.path);
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  }
  throw invalidRequest(`Invalid ${param}: ${issue.message}`, param, 'parameter_invalid');
}

export function applyMetadata(
  current: Record<string, string>,
  update: z.output<typeof formMetadata> | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === '') return {};
  const next = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (v === '') delete next[k];
    else next[k] = v;
  }
  return next;
}
