import { z } from '@hono/zod-openapi';

const DAY_MS = 86_400_000;
const MAX_DAYS = 400;
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** A half-open period; without one, the last 30 days. Bounded so one request cannot scan years. */
export const periodQuery = z
  .object({
    from: instant
      .optional()
      .openapi({ type: 'string', description: 'ISO-8601 start (inclusive); default 30 days before `to`' }),
    to: instant.optional().openapi({ type: 'string', description: 'ISO-8601 end (exclusive); default now' }),
  })
  .transform(({ from, to }) => {
    const end = to ?? new Date();
    return { from: from ?? new Date(end.getTime() - 30 * DAY_MS), to: end };
  })
  .refine((p) => p.from < p.to, { path: ['to'], message: 'must be after from' })
  .refine((p) => p.to.getTime() - p.from.getTime() <= MAX_DAYS * DAY_MS, {
    path: ['from'],
    message: `the period may span at most ${MAX_DAYS} days`,
  });
