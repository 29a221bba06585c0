import { z } from 'zod';
import { redriveEvents } from '../../webhooks/store';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const redriveEventsCommand: CliCommand = {
  name: 'redrive-events',
  summary: 'Makes stored Stripe events due for relay again (by Stripe created time, half-open range)',
  usage: 'redrive-events --from <ISO time> --to <ISO time> [--type <event type>]',
  example:
    'npm run billing -- redrive-events --from 2026-12-01T00:00:00Z --to 2026-12-02T00:00:00Z --type invoice.paid',
  async run(argv, { db, out }) {
    const options = parseOptions(
      argv,
      z
        .object({
          from: isoTime,
          to: isoTime,
          type: z
            .string()
            .regex(/^[a-z_.]+$/, 'a Stripe event type such as invoice.paid')
            .optional(),
        })
        .refine((o) => o.from < o.to, { path: ['to'], message: 'must be after --from' }),
    );
    const count = await redriveEvents(db, options);
    out(
      `re-queued ${count} stored event(s) created in [${options.from.toISOString()}, ${options.to.toISOString()})` +
        `${options.type ? ` of type ${options.type}` : ''}; the relay delivers them again, workflows ignore ids they have seen`,
    );
  },
};
