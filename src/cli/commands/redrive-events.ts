import { z } from 'zod';
import { redriveEvents } from '../../webhooks/store';
import { parseOptions } from '../args';
import type { CliCommand } from '../command';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const redriveEventsCommand: CliCommand = {
  name: 'redrive-events',
  summary:
    'Makes stored Stripe events due for relay again (by Stripe created time, half-open range); --dead-lettered: only those the relay gave up on',
  usage: 'redrive-events --from <ISO time> --to <ISO time> [--type <event type>] [--dead-lettered]',
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
          'dead-lettered': z.boolean().optional(),
        })
        .refine((o) => o.from < o.to, { path: ['to'], message: 'must be after --from' }),
      ['dead-lettered'],
    );
    const deadLetteredOnly = options['dead-lettered'] === true;
    const count = await redriveEvents(db, { ...options, deadLetteredOnly });
    out(
      `re-queued ${count} stored${deadLetteredOnly ? ' dead-lettered' : ''} event(s) created in [${options.from.toISOString()}, ${options.to.toISOString()})` +
        `${options.type ? ` of type ${options.type}` : ''}; the relay delivers them again, workflows ignore ids they have seen`,
    );
  },
};
